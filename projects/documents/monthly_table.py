"""The monthly scheduling table (月度调度表): every project of the plan as at a month end.

    table = monthly_table(plan, dt.date(2023, 7, 31), projects_queryset)
    table.rows, table.totals, monthly_xlsx(table)

One row per project: annual plan, cumulative plan, cumulative actual (万元), completion rate,
序时进度, the gap in percentage points and the light, with the month's 形象进度 and 存在问题.

- 累计计划投资: the project's monthly-plan checkpoint in that month (its latest one there), else 序时 of
  the annual plan (targets.engine.schedule.expected_linear over the project's period, as the engine does).
- 累计完成投资: the latest progress report with a figure on or before the month end (blank if none).
- 完成率 = actual ÷ annual plan; 序时进度 = elapsed months of the plan year ÷ its months (3月 = 25%;
  the first statistics point is February, "1—2月"); 差距 = 完成率 − 序时进度, in points, from the
  one-decimal figures shown, so the row adds up as printed.
- 状态: the project's snapshot at the plan's latest finished supervision run on or before the month
  end (targets.querysets.with_status, the lookup the API answers ?as_of= with); grey without one.
- 形象进度 / 存在问题: the report for that reporting month (period = the month), latest first.
- Totals (亿元): the sums of the three amount columns; the overall completion rate (Σ actual ÷ Σ
  annual plan, a project without a report counting 0) and its gap to 序时.

One query for all the rows whatever the number of projects (correlated subqueries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from targets import periods
from targets.documents import spreadsheets
from targets.documents.spreadsheets import Column, one_decimal
from targets.documents.words import LIGHT, chinese_date
from targets.engine import schedule
from targets.models import Checkpoint, MonthSnapshot, Plan, ProgressReport
from targets.querysets import with_status

from ..models import Project

HUNDRED = Decimal(100)


def month_label(month_end: dt.date) -> str:
    """The statistics period as the bureau writes it: "1—2月" for February, "1—7月", "1月"."""
    return "1月" if month_end.month == 1 else f"1—{month_end.month}月"


def parse_month(text: str) -> dt.date:
    """ "2023-07" → 2023-07-31 (the month end); ValueError for anything else."""
    year, _sep, month = (text or "").strip().partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= len(month) <= 2 and 1 <= int(month) <= 12):
        raise ValueError(text)
    return schedule.month_end(int(year), int(month))


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The end of the month before today's."""
    today = today or timezone.localdate()
    return today.replace(day=1) - dt.timedelta(days=1)


def schedule_percent(plan: Plan, month_end: dt.date) -> Decimal:
    """序时进度 (%, 1 decimal): elapsed months of the plan's period at month_end ÷ its months."""
    elapsed = schedule.elapsed_months(plan.period_start, plan.period_end, month_end)
    return one_decimal(Decimal(elapsed) * HUNDRED / schedule.months_in_period(plan.period_start, plan.period_end))


@dataclass(frozen=True)
class MonthlyRow:
    code: str
    title: str
    unit: str
    leader: str
    annual_plan: Decimal | None
    cumulative_plan: Decimal | None
    cumulative_actual: Decimal | None
    completion: Decimal | None
    schedule: Decimal
    gap: Decimal | None
    status: str
    progress: str
    problems: str


@dataclass(frozen=True)
class Totals:
    """In 万元 (the table shows them in 亿元)."""

    annual_plan: Decimal
    cumulative_plan: Decimal
    cumulative_actual: Decimal
    completion: Decimal | None
    gap: Decimal | None


@dataclass(frozen=True)
class MonthlyTable:
    plan: Plan
    month_end: dt.date
    schedule: Decimal
    rows: list[MonthlyRow]
    totals: Totals

    @property
    def title(self) -> str:
        return f"{self.plan.year}年{month_label(self.month_end)}重大项目月度调度表（截至{chinese_date(self.month_end)}）"

    @property
    def filename(self) -> str:
        return f"月度调度表-{self.month_end:%Y-%m}.xlsx"


def _annotated(queryset, month_end: dt.date, plan: Plan | None = None):
    month_start = month_end.replace(day=1)
    counted = ProgressReport.objects.counted()
    actual = counted.filter(item=OuterRef("pk"), as_of__lte=month_end, value__isnull=False).order_by("-as_of")
    report = counted.filter(item=OuterRef("pk"), period=month_start).order_by("-as_of")
    checkpoint = Checkpoint.objects.filter(item=OuterRef("pk"), date__gte=month_start, date__lte=month_end).order_by("-date")
    queryset = queryset.select_related("lead_department", "responsible_leader").annotate(
        monthly_actual=Subquery(actual.values("value")[:1]),
        monthly_progress=Subquery(report.values("narrative")[:1]),
        monthly_problems=Subquery(report.values("problems")[:1]),
        monthly_checkpoint=Subquery(checkpoint.values("expected_value")[:1]),
    )
    close = periods.closed_on(plan, month_end) if plan is not None else None
    if close is not None:
        # 月度锁定: a closed month's light and cumulative actual are its official snapshot's.
        official = MonthSnapshot.objects.filter(month_close=close, item=OuterRef("pk"))
        return queryset.annotate(
            snapshot_status=Coalesce(Subquery(official.values("status")[:1]), Value("grey")),
            monthly_actual=Subquery(official.values("actual")[:1]),
        )
    return with_status(queryset, month_end)


def completion_percent(actual: Decimal | None, annual: Decimal | None) -> Decimal | None:
    if actual is None or not annual:
        return None
    return one_decimal(actual * HUNDRED / annual)


def monthly_table(plan: Plan, month_end: dt.date, queryset=None) -> MonthlyTable:
    """The table for `plan` at `month_end` over `queryset` (default: all the plan's projects).

    The queryset's filters and ordering are kept (code order when it has none); only the plan's
    projects are listed.
    """
    queryset = Project.objects.all() if queryset is None else queryset
    queryset = queryset.filter(plan=plan)
    if not queryset.ordered:
        queryset = queryset.order_by("code")
    time_share = schedule_percent(plan, month_end)
    rows = []
    for project in _annotated(queryset, month_end, plan):
        annual = project.target_value
        checkpoint = project.monthly_checkpoint
        if checkpoint is not None:
            planned = checkpoint
        elif annual is not None:
            planned = schedule.expected_linear(annual, project.period_start, project.period_end, month_end)
        else:
            planned = None
        actual = project.monthly_actual
        completion = completion_percent(actual, annual)
        rows.append(
            MonthlyRow(
                code=project.code,
                title=project.title,
                unit=project.lead_department.name if project.lead_department_id else "",
                leader=str(project.responsible_leader) if project.responsible_leader_id else "",
                annual_plan=annual,
                cumulative_plan=planned,
                cumulative_actual=actual,
                completion=completion,
                schedule=time_share,
                gap=None if completion is None else completion - time_share,
                status=LIGHT.get(project.snapshot_status, project.snapshot_status or ""),
                progress=project.monthly_progress or "",
                problems=project.monthly_problems or "",
            )
        )
    annual_sum = sum((r.annual_plan or 0 for r in rows), Decimal(0))
    actual_sum = sum((r.cumulative_actual or 0 for r in rows), Decimal(0))
    overall = completion_percent(actual_sum, annual_sum)
    totals = Totals(
        annual_plan=annual_sum,
        cumulative_plan=sum((r.cumulative_plan or 0 for r in rows), Decimal(0)),
        cumulative_actual=actual_sum,
        completion=overall,
        gap=None if overall is None else overall - time_share,
    )
    return MonthlyTable(plan=plan, month_end=month_end, schedule=time_share, rows=rows, totals=totals)


@dataclass(frozen=True)
class MonthlyColumn:
    """A column of the table, declared once: its sheet column, the value of a row, and for the
    figures that are not plain sums (rates, the gap) the value of the totals row."""

    column: Column
    value: Callable[[MonthlyRow], object]
    total: Callable[[MonthlyTable], object] | None = None


COLUMNS = (
    MonthlyColumn(Column("项目编号", 12), attrgetter("code")),
    MonthlyColumn(Column("项目名称", 30, "wrap"), attrgetter("title")),
    MonthlyColumn(Column("责任单位", 18, "wrap"), attrgetter("unit")),
    MonthlyColumn(Column("责任领导", 14, "wrap"), attrgetter("leader")),
    MonthlyColumn(Column("年度计划投资（万元）", 14, "wan", summed=True), attrgetter("annual_plan")),
    MonthlyColumn(Column("累计计划投资（万元）", 14, "wan", summed=True), attrgetter("cumulative_plan")),
    MonthlyColumn(Column("累计完成投资（万元）", 14, "wan", summed=True), attrgetter("cumulative_actual")),
    MonthlyColumn(Column("完成率（%）", 10, "percent"), attrgetter("completion"), lambda t: t.totals.completion),
    MonthlyColumn(Column("序时进度（%）", 10, "percent"), attrgetter("schedule"), attrgetter("schedule")),
    MonthlyColumn(Column("差距（百分点）", 10, "points"), attrgetter("gap"), lambda t: t.totals.gap),
    MonthlyColumn(Column("状态", 6), attrgetter("status")),
    MonthlyColumn(Column("形象进度", 36, "wrap"), attrgetter("progress")),
    MonthlyColumn(Column("存在问题", 30, "wrap"), attrgetter("problems")),
)
NUMBER = Column("序号", 6, "int")  # the row's position, before the declared columns


def monthly_xlsx(table: MonthlyTable) -> bytes:
    """The table as .xlsx: title, headers, one row per project, the totals row in 亿元."""
    rows = ([index, *(c.value(r) for c in COLUMNS)] for index, r in enumerate(table.rows, start=1))
    totals = {c.column.header: c.total(table) for c in COLUMNS if c.total is not None}
    columns = [NUMBER, *(c.column for c in COLUMNS)]
    sheet = spreadsheets.Table(title=table.title, sheet="月度调度表", columns=columns, rows=rows, totals=totals)
    return spreadsheets.table_xlsx(sheet)
