"""投资进度表: cumulative planned against completed investment by month, for the register and per unit.

A project's plan at a month end is its monthly plan (checkpoints; a straight line to the annual plan
for a time-proportional project without one), as on its own chart (targets.documents.charts.plan_series). Its
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

from targets import formatting
from targets.choices import ScheduleMode
from targets.documents import charts
from targets.documents.spreadsheets import one_decimal
from targets.engine.schedule import month_end
from targets.figures_cache import kept
from targets.models import Checkpoint, Plan, ProgressReport

from ..models import Project
from . import cells
from .cells import Cell
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


def investment_section(
    plan: Plan, as_of: dt.date, filters: Filters, page: int = 1, fresh: bool = False, counted: InvestmentCells | None = None
) -> InvestmentSection:
    """Four queries whatever the register's size: the units' annual plans, the straight-line plans,
    and the monthly plans and the reports summed by cell and month (`counted`, else investment_cells,
    kept a while). Every unit's series is computed (they are few: one per lead unit); the page shows
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
    # The monthly plans and reports summed by cell and month over the whole plan (cells.py): the
    # selection's steps are the sum over its cells; months after the as-of month are not shown.
    counted = counted or investment_cells(plan, fresh=fresh)
    plan_steps = select_steps(counted.plan_steps, filters)
    actual_steps = select_steps(counted.actual_steps, filters)

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


@dataclass(frozen=True)
class InvestmentCells:
    """{(cell, month index): (change, rows)} of the monthly plans and of the counted reports, every month of the plan."""

    plan_steps: dict[tuple[Cell, int], tuple[Decimal, int]]
    actual_steps: dict[tuple[Cell, int], tuple[Decimal, int]]


def investment_cells(plan: Plan, fresh: bool = False) -> InvestmentCells:
    """The plan's monthly plans and reports summed by cell and month (two queries), kept by figures_cache.

    Independent of the month read: the actual steps run to the plan's last month and a month's
    figure only sums the steps up to it (a row's step only depends on the same item's earlier rows)."""

    def count() -> InvestmentCells:
        months = [month_end(m.year, m.month) for m in plan_months(plan)]
        everything = Project.objects.filter(plan=plan)
        last = months[-1] if months else plan.period_end
        return InvestmentCells(
            plan_steps=monthly_steps(Checkpoint, "date", "expected_value", everything, months, until=last),
            actual_steps=monthly_steps(
                ProgressReport, "as_of", "value", everything, months, until=last, since=plan.period_start, not_null=True
            ),
        )

    return kept("dashboard-cells:investment", plan, count, lambda: cells.renew(plan), fresh=fresh)


def select_steps(
    steps: dict[tuple[Cell, int], tuple[Decimal, int]], filters: Filters
) -> dict[tuple[int | None, int], tuple[Decimal, int]]:
    """{(lead unit, month index): (change, rows)} of the cells the filters select."""
    chosen: dict[tuple[int | None, int], tuple[Decimal, int]] = {}
    taken: dict[Cell, bool] = {}
    for (cell, index), (change, rows) in steps.items():
        if (take := taken.get(cell)) is None:
            take = taken[cell] = cells.matches(cell, filters)
        if take:
            key = (cells.unit_of(cell), index)
            total, count = chosen.get(key, (Decimal(0), 0))
            chosen[key] = (total + change, count + rows)
    return chosen


def completed_investment(counted: InvestmentCells, filters: Filters, as_of_index: int) -> dict[str, Decimal]:
    """The selection's completed investment by the as-of month, all and district key projects, from
    the cells: projects.rollups.completed_investment without reading the reports again."""
    key_flag = cells.FLAGS.index("is_district_key")
    completed, key_completed = Decimal(0), Decimal(0)
    for (cell, index), (change, _rows) in counted.actual_steps.items():
        if index <= as_of_index and cells.matches(cell, filters):
            completed += change
            if cell[4 + key_flag]:
                key_completed += change
    return {"completed": completed, "key_completed": key_completed}


def monthly_steps(
    model, date_field: str, value_field: str, selected, months: list[dt.date], until: dt.date, since=None, not_null=False
) -> dict[tuple[Cell, int], tuple[Decimal, int]]:
    """{(cell, month index): (change of the cell's summed latest values in the month, rows)} (cells.py).

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
    columns = ", ".join(cells.CELL_SQL)
    group = ", ".join(str(n) for n in range(1, cells.CELL_WIDTH + 2))
    sql = f"""
        SELECT {columns}, {month_of_day}, SUM(d.value - COALESCE(d.previous, 0)), COUNT(*)
        FROM (
            SELECT r.item_id, r.{date_field} AS day, r.{value_field} AS value,
                   LAG(r.{value_field}) OVER (PARTITION BY r.item_id ORDER BY r.{date_field}) AS previous
            FROM {table} r WHERE {" AND ".join(where)}
        ) d JOIN targets_trackeditem i ON i.id = d.item_id {cells.CELL_JOIN}
        GROUP BY {group}
    """
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    steps: dict[tuple[Cell, int], tuple[Decimal, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            cell = cells.cell_key(row)
            month, change, rows = row[cells.CELL_WIDTH :]
            if isinstance(month, str):  # SQLite answers dates and sums as text and floats
                month, change = dt.date.fromisoformat(month), Decimal(str(change))
            position = index.get((month.year, month.month), 0 if months and month < months[0] else None)
            if position is None:
                continue
            total, count = steps.get((cell, position), (Decimal(0), 0))
            steps[(cell, position)] = (total + change, count + rows)
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
    """The server-side SVG of a series (targets.documents.charts.svg)."""
    labels = [str(month.month) for month in section.months]
    return charts.svg(labels, series.plan, series.actual, title=title, fmt=axis_amount)
