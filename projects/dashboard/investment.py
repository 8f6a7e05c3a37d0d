"""投资进度表: cumulative planned against completed investment by month, for the register and per unit.

A project's plan at a month end is its monthly plan (checkpoints; a straight line to the annual plan
for a time-proportional project without one), as on its own chart (targets.charts.plan_series). Its
completed investment at a month end is its latest cumulative report on or before it, counting from
the plan's start, the same reading as the completed-investment roll-up; months after the as-of
month have no actual figure yet. Amounts in 万元.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Sum
from django.utils.safestring import SafeString

from targets import charts, formatting
from targets.choices import ScheduleMode
from targets.models import Checkpoint, Plan, ProgressReport
from targets.schedule import month_end
from targets.spreadsheets import one_decimal

from .filters import Filters, plan_months, projects
from .paging import Page

HUNDRED = Decimal(100)
UNITS_PER_PAGE = 20


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
    units: list[Series]  # every lead unit, larger annual plan first
    page: Page  # the units shown on the page

    @property
    def page_units(self) -> list[Series]:
        return self.page.slice(self.units)


def rate(actual: Decimal | None, plan: Decimal | None) -> Decimal | None:
    if actual is None or not plan:
        return None
    return one_decimal(actual * HUNDRED / plan)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def investment_section(plan: Plan, as_of: dt.date, filters: Filters, page: int = 1) -> InvestmentSection:
    """Five queries whatever the register's size: the units' annual plans, the straight-line plans,
    the monthly plans and the reports summed by unit and month in the database, and the run's date is
    not needed. Every unit's series is computed (they are few: one per lead unit); the page shows
    one page of them (UNITS_PER_PAGE) and the workbook all."""
    months = [month_end(m.year, m.month) for m in plan_months(plan)]
    as_of_index = max((i for i, m in enumerate(months) if m <= as_of), default=0)
    selected = projects(plan, filters)
    names: dict[int | None, str] = {}
    annual: dict[int | None, Decimal] = {}
    for unit_id, name, total in (
        selected.order_by().values_list("lead_department_id", "lead_department__name").annotate(total=Sum("target_value"))
    ):
        names[unit_id] = name or ""
        annual[unit_id] = annual.get(unit_id, Decimal(0)) + (total or Decimal(0))
    # A time-proportional project without a monthly plan: a straight line to its annual plan.
    linear = dict(
        selected.filter(schedule_mode=ScheduleMode.LINEAR, target_value__isnull=False)
        .exclude(Exists(Checkpoint.objects.filter(item=OuterRef("pk"))))
        .order_by()
        .values_list("lead_department_id")
        .annotate(total=Sum("target_value"))
    )
    plan_steps = monthly_steps(Checkpoint, "date", "expected_value", selected, months, until=months[-1] if months else as_of)
    actual_steps = monthly_steps(
        ProgressReport, "as_of", "value", selected, months, until=as_of, since=plan.period_start, not_null=True
    )

    def series(label: str, unit_ids: list[int | None]) -> Series:
        plan_values: list[Decimal | None] = []
        actual_values: list[Decimal | None] = []
        planned, seen, done = Decimal(0), False, Decimal(0)
        straight = sum((linear.get(unit_id, Decimal(0)) for unit_id in unit_ids), Decimal(0))
        has_straight = any(unit_id in linear for unit_id in unit_ids)
        for index in range(len(months)):
            for unit_id in unit_ids:
                change, rows = plan_steps.get((unit_id, index), (Decimal(0), 0))
                planned += change
                seen = seen or rows > 0
                done += actual_steps.get((unit_id, index), (Decimal(0), 0))[0]
            line = straight * Decimal(index + 1) / Decimal(len(months)) if has_straight else None
            plan_values.append(_sum([planned if seen else None, line]))
            actual_values.append(done if index <= as_of_index else None)
        return Series(
            label=label,
            unit_id=unit_ids[0] if len(unit_ids) == 1 else None,
            annual_plan=sum((annual.get(unit_id, Decimal(0)) for unit_id in unit_ids), Decimal(0)),
            plan=plan_values,
            actual=actual_values,
            as_of_index=as_of_index,
        )

    units = [series(names[unit_id], [unit_id]) for unit_id in names]
    units.sort(key=lambda s: (-s.annual_plan, s.label))
    register = series("", list(names))
    return InvestmentSection(
        months=months, as_of_index=as_of_index, register=register, units=units, page=Page(len(units), page, UNITS_PER_PAGE)
    )


def monthly_steps(
    model, date_field: str, value_field: str, selected, months: list[dt.date], until: dt.date, since=None, not_null=False
) -> dict[tuple[int | None, int], tuple[Decimal, int]]:
    """{(lead unit, month index): (change of the units' summed latest values in the month, rows)}.

    The latest cumulative value of every item at each month end, summed, without reading a row per
    item into Python: each row counts as its change from the item's previous row (LAG), and the
    changes are summed by unit and month, so a running total over the months gives the sum of the
    latest values. Rows dated before the first month count in the first.
    """
    table = model._meta.db_table
    item_sql, item_params = selected.order_by().values("pk").query.sql_with_params()
    where = [f"r.item_id IN ({item_sql})", f"r.{date_field} <= %s"]
    params = [*item_params, until]
    if since is not None:
        where.append(f"r.{date_field} >= %s")
        params.append(since)
    if not_null:
        where.append(f"r.{value_field} IS NOT NULL")
    if model is ProgressReport:  # only figures that count (审核: ProgressReport.objects.counted())
        counted_sql, counted_params = ProgressReport.objects.counted().order_by().values("pk").query.sql_with_params()
        where.append(f"r.id IN ({counted_sql})")
        params.extend(counted_params)
    # The month of each row, in each backend's dialect (SQLite serves the zero-setup `make run`).
    month_of_day = "date_trunc('month', d.day)::date" if connection.vendor == "postgresql" else "date(d.day, 'start of month')"
    sql = f"""
        SELECT i.lead_department_id, {month_of_day}, SUM(d.value - COALESCE(d.previous, 0)), COUNT(*)
        FROM (
            SELECT r.item_id, r.{date_field} AS day, r.{value_field} AS value,
                   LAG(r.{value_field}) OVER (PARTITION BY r.item_id ORDER BY r.{date_field}) AS previous
            FROM {table} r WHERE {" AND ".join(where)}
        ) d JOIN targets_trackeditem i ON i.id = d.item_id
        GROUP BY 1, 2
    """
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    steps: dict[tuple[int | None, int], tuple[Decimal, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, month, change, rows in cursor.fetchall():
            if isinstance(month, str):  # SQLite answers dates and sums as text and floats
                month, change = dt.date.fromisoformat(month), Decimal(str(change))
            position = index.get((month.year, month.month), 0 if months and month < months[0] else None)
            if position is None:
                continue
            total, count = steps.get((unit_id, position), (Decimal(0), 0))
            steps[(unit_id, position)] = (total + change, count + rows)
    return steps


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
