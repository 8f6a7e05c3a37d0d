"""投资进度表: cumulative planned against completed investment by month, for the register and per unit.

A project's plan at a month end is its monthly plan (checkpoints; a straight line to the annual plan
for a time-proportional project without one), as on its own chart (targets.charts.plan_series). Its
completed investment at a month end is its latest cumulative report on or before it, counting from
the plan's start, the same reading as the completed-investment roll-up; months after the as-of
month have no actual figure yet. Amounts in 万元.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString

from targets import charts, formatting
from targets.choices import ScheduleMode
from targets.models import Checkpoint, Plan, ProgressReport
from targets.schedule import month_end
from targets.spreadsheets import one_decimal

from .filters import Filters, plan_months, projects

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Series:
    label: str
    unit_id: int | None  # None for the whole register
    annual_plan: Decimal
    plan: list[Decimal | None]  # cumulative, one per month
    actual: list[Decimal | None]
    as_of_index: int  # the as-of month's position in the lists

    @property
    def plan_now(self) -> Decimal | None:
        return self.plan[self.as_of_index]

    @property
    def actual_now(self) -> Decimal | None:
        return self.actual[self.as_of_index]

    @property
    def rate_now(self) -> Decimal | None:
        """Completed ÷ planned by the as-of month, %."""
        return rate(self.actual_now, self.plan_now)

    @property
    def annual_rate_now(self) -> Decimal | None:
        """Completed ÷ the annual plan, %."""
        return rate(self.actual_now, self.annual_plan)

    @property
    def rates(self) -> list[Decimal | None]:
        return [rate(actual, plan) for plan, actual in zip(self.plan, self.actual, strict=True)]

    @property
    def months_data(self) -> list[tuple[Decimal | None, Decimal | None, Decimal | None]]:
        """(plan, actual, rate) per month, for templates."""
        return list(zip(self.plan, self.actual, self.rates, strict=True))


@dataclass(frozen=True)
class InvestmentSection:
    months: list[dt.date]
    as_of_index: int
    register: Series
    units: list[Series]


def rate(actual: Decimal | None, plan: Decimal | None) -> Decimal | None:
    if actual is None or not plan:
        return None
    return one_decimal(actual * HUNDRED / plan)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def investment_section(plan: Plan, as_of: dt.date, filters: Filters) -> InvestmentSection:
    """Three queries: the selected projects, their monthly plans and their reports up to the as-of date."""
    months = [month_end(m.year, m.month) for m in plan_months(plan)]
    as_of_index = max((i for i, m in enumerate(months) if m <= as_of), default=0)
    selected = projects(plan, filters)
    rows = list(
        selected.order_by("pk").values_list("pk", "lead_department_id", "lead_department__name", "target_value", "schedule_mode")
    )
    checkpoints: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for item_id, date, value in Checkpoint.objects.filter(item__in=selected.values("pk")).values_list(
        "item_id", "date", "expected_value"
    ):
        checkpoints[item_id].append((date, value))
    reports: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for item_id, date, value in (
        ProgressReport.objects.counted()
        .filter(item__in=selected.values("pk"), as_of__lte=as_of, as_of__gte=plan.period_start, value__isnull=False)
        .order_by("item_id", "as_of")
        .values_list("item_id", "as_of", "value")
    ):
        reports[item_id].append((date, value))

    per_project_plan: dict[int, list[Decimal | None]] = {}
    per_project_actual: dict[int, list[Decimal | None]] = {}
    for pk, _unit, _name, target, mode in rows:
        per_project_plan[pk] = charts.plan_series(months, checkpoints.get(pk, []), target, mode == ScheduleMode.LINEAR)
        per_project_actual[pk] = carried_series(months, reports.get(pk, []), as_of_index)

    def series(label: str, unit_id: int | None, pks: list[int], annual: Decimal) -> Series:
        return Series(
            label=label,
            unit_id=unit_id,
            annual_plan=annual,
            plan=[_sum([per_project_plan[pk][i] for pk in pks]) for i in range(len(months))],
            actual=[
                (_sum([per_project_actual[pk][i] for pk in pks]) or Decimal(0)) if i <= as_of_index else None
                for i in range(len(months))
            ],
            as_of_index=as_of_index,
        )

    by_unit: dict[tuple[int | None, str], list[tuple[int, Decimal]]] = defaultdict(list)
    for pk, unit_id, name, target, _mode in rows:
        by_unit[(unit_id, name or "")].append((pk, target or Decimal(0)))
    units = [
        series(name, unit_id, [pk for pk, _t in members], sum((t for _pk, t in members), Decimal(0)))
        for (unit_id, name), members in by_unit.items()
    ]
    units.sort(key=lambda s: (-s.annual_plan, s.label))
    register = series("", None, [pk for pk, *_rest in rows], sum((row[3] or Decimal(0) for row in rows), Decimal(0)))
    return InvestmentSection(months=months, as_of_index=as_of_index, register=register, units=units)


def carried_series(months: list[dt.date], reports: list[tuple[dt.date, Decimal]], last_index: int) -> list[Decimal | None]:
    """The latest cumulative report on or before each month end, up to the as-of month (sorted reports)."""
    values: list[Decimal | None] = []
    latest, position = None, 0
    for index, month in enumerate(months):
        if index > last_index:
            values.append(None)
            continue
        while position < len(reports) and reports[position][0] <= month:
            latest = reports[position][1]
            position += 1
        values.append(latest)
    return values


def axis_amount(value: Decimal) -> str:
    """A chart's scale and point values: 亿 from 1亿元 up, else 万 (amounts are in 万元), like the wall charts."""
    if abs(value) >= formatting.WAN_PER_YI:
        return f"{formatting.number(value / formatting.WAN_PER_YI, 2)}亿"
    return f"{formatting.number(value, 0)}万"


def chart(section: InvestmentSection, series: Series, title: str) -> SafeString:
    """The server-side SVG of a series (targets.charts.svg)."""
    labels = [str(month.month) for month in section.months]
    return charts.svg(labels, series.plan, series.actual, title=title, fmt=axis_amount)
