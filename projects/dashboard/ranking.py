"""比学赶超: the lead units ranked by on-time rate, reporting discipline and open findings.

Definitions (also stated on the page):
- On-time rate: of the unit's selected items evaluated at the month end (a colour other than grey at
  the latest supervision run on or before it), the share that is green or blue.
- Reports on time: of the reports due by the month end for the unit's items that owe reports, on
  each item's own cadence (targets.engine.judging: monthly, quarterly with its publication lag …), the
  share submitted by the point's due day.
- Open findings: findings on the unit's items open at the month end (status.py), and the worst level.
Order: higher on-time rate, then higher report rate, then fewer open findings, then a lower worst
level; units equal on all four share a rank (1, 1, 3) and are listed by name. A unit with nothing
evaluated has no rate and comes after those with one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from targets.choices import StatusChoice
from targets.documents.spreadsheets import one_decimal
from targets.engine import judging
from targets.figures_cache import kept
from targets.models import Plan, ProgressReport, TrackedItem

from . import cells
from .cells import Cell
from .filters import Filters
from .responsibility import group_lines

HUNDRED = Decimal(100)
ON_TIME = {StatusChoice.GREEN, StatusChoice.BLUE}


@dataclass(frozen=True)
class UnitRank:
    rank: int
    unit_id: int
    unit: str
    items: int
    evaluated: int
    on_time: int
    reports_due: int
    reports_on_time: int
    findings: int
    worst_level: int | None

    @property
    def on_time_rate(self) -> Decimal | None:
        return share(self.on_time, self.evaluated)

    @property
    def report_rate(self) -> Decimal | None:
        return share(self.reports_on_time, self.reports_due)

    def sort_key(self) -> tuple:
        return (
            self.on_time_rate is None,
            -(self.on_time_rate or 0),
            self.report_rate is None,
            -(self.report_rate or 0),
            self.findings,
            self.worst_level or 0,
        )


def share(part: int, whole: int) -> Decimal | None:
    return one_decimal(Decimal(part) * HUNDRED / Decimal(whole)) if whole else None


Calendar = tuple  # (cadence, publication lag, period start, period end): what sets an item's points


@dataclass(frozen=True)
class ReportCells:
    """The plan's reporting discipline by cell (cells.py), for every statistics point of each calendar."""

    dues: dict[Calendar, tuple[dt.date, ...]]  # the due day of each point of the calendar, in order
    owing: dict[tuple[Cell, Calendar], int]  # items that owe reports
    on_time: dict[tuple[Cell, Calendar, int], int]  # items with a report of the point filed by its due day


CELL_FIELDS = (
    "kind",
    "lead_department_id",
    "responsible_leader_id",
    "project__category",
    *(f"project__{flag}" for flag in cells.FLAGS),
)


def report_cells(plan: Plan, fresh: bool = False) -> ReportCells:
    """Items owing reports and reports on time by cell, calendar and point: one query for the items
    by calendar, then one per distinct calendar whatever the register's size; kept by figures_cache."""
    return kept("dashboard-cells:reports", plan, lambda: count_report_cells(plan), lambda: cells.renew(plan), fresh=fresh)


def count_report_cells(plan: Plan) -> ReportCells:
    everything = TrackedItem.objects.filter(plan=plan)
    owing: dict[tuple[Cell, Calendar], int] = defaultdict(int)
    for row in (
        everything.order_by()
        .values_list(
            *CELL_FIELDS,
            "target__metric_kind",
            "target__actual_source",
            "schedule_mode",
            "period_start",
            "period_end",
            "target__cadence",
            "target__publication_lag_days",
        )
        .annotate(n=Count("pk"))
    ):
        cell = cells.cell_key(row)
        metric_kind, source, mode, start, end, cadence, lag, n = row[cells.CELL_WIDTH :]
        if judging.owes_reports(cell[0], metric_kind, source, mode, cadence):
            owing[(cell, (cadence or "", lag, start, end))] += n
    dues: dict[Calendar, tuple[dt.date, ...]] = {}
    on_time: dict[tuple[Cell, Calendar, int], int] = {}
    owing_items = everything.owing_reports()
    if connection.vendor != "postgresql":
        count_on_time(plan, owing, owing_items, dues, on_time)
        return ReportCells(dues=dues, owing=dict(owing), on_time=on_time)
    # The planner expects a handful of owing items (it estimates the calendar's filter at one row)
    # and sorts every report by the cell's columns, spilling to disk: a million rows for some
    # thousands of groups. Hash them instead, for these queries only (9.3 s → 4.4 s on 100k).
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")
        try:
            count_on_time(plan, owing, owing_items, dues, on_time)
        finally:
            cursor.execute("RESET enable_sort")  # the server's setting again
    return ReportCells(dues=dues, owing=dict(owing), on_time=on_time)


def count_on_time(plan: Plan, owing, owing_items, dues, on_time) -> None:
    """Fill `dues` and `on_time` (ReportCells): one query per distinct calendar."""
    for _cell, calendar in owing:
        if calendar in dues:
            continue
        cadence, lag, start, end = calendar
        # Seasonal windows need the checkpoint dates: counted as the period end's one figure here.
        points = judging.points(cadence, start, end, plan.report_due_day, lag)
        dues[calendar] = tuple(p.due for p in points)
        if not points:
            continue
        same = owing_items.filter(
            Q(target__cadence=cadence) if cadence else Q(target__cadence__isnull=True) | Q(target__cadence=""),
            Q(target__publication_lag_days=lag) if lag is not None else Q(target__publication_lag_days__isnull=True),
            period_start=start,
            period_end=end,
        )
        # A point counts once per item: a report of one of its months submitted by its due day.
        slots = [
            When(
                Q(period__gte=p.first, period__lte=p.last, submitted_at__lt=first_moment_after(p.due)),
                then=Value(i),
            )
            for i, p in enumerate(points)
        ]
        for row in (
            ProgressReport.objects.filter(item__in=same.values("pk"))
            .annotate(slot=Case(*slots, default=None, output_field=IntegerField()))
            .filter(slot__isnull=False)
            .order_by()
            .values_list(*(f"item__{field}" for field in CELL_FIELDS), "slot")
            .annotate(n=Count("item_id", distinct=True))
        ):
            slot, n = row[cells.CELL_WIDTH :]
            key = (cells.cell_key(row), calendar, slot)
            on_time[key] = on_time.get(key, 0) + n


def first_moment_after(day: dt.date) -> dt.datetime:
    """The start of the next day in local time: a report submitted before it was filed by ``day``."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def ranking(plan: Plan, as_of: dt.date, filters: Filters, grouped: tuple | None = None, fresh: bool = False) -> list[UnitRank]:
    """Every lead unit of the selection, ranked, counted in the database whatever the register's size:
    the leader × unit lines (responsibility.group_lines, or `grouped` when the caller has them), and
    the reports due and on time by cell and calendar (report_cells)."""
    _date, groups = grouped or group_lines(plan, as_of, filters)
    names: dict[int, str] = {}
    tally: dict[int, list[int]] = defaultdict(lambda: [0] * 7)  # items, evaluated, on time, due, on time, findings, worst
    for group in groups:
        if group.unit_id is None:
            continue
        names[group.unit_id] = group.unit
        counts = tally[group.unit_id]
        counts[0] += group.items
        counts[1] += group.evaluated
        counts[2] += group.on_time
        counts[5] += group.findings
        counts[6] = max(counts[6], group.worst_level or 0)

    # Reports due and filed on time, on each item's own cadence (targets.engine.judging), counted by cell
    # and calendar for every point of the plan (report_cells, kept a while); the month takes the
    # points due before its end, the selection its cells.
    counted = report_cells(plan, fresh=fresh)
    for (cell, calendar), n in counted.owing.items():
        if cells.unit_of(cell) is not None and cells.matches(cell, filters):
            tally[cells.unit_of(cell)][3] += sum(1 for due in counted.dues[calendar] if as_of > due) * n
    for (cell, calendar, slot), n in counted.on_time.items():
        if cells.unit_of(cell) is not None and as_of > counted.dues[calendar][slot] and cells.matches(cell, filters):
            tally[cells.unit_of(cell)][4] += n

    units = [
        UnitRank(0, unit_id, names.get(unit_id, ""), *counts[:6], counts[6] or None)  # rank set below
        for unit_id, counts in tally.items()
    ]
    units.sort(key=lambda u: (*u.sort_key(), u.unit, u.unit_id))
    ranked: list[UnitRank] = []
    for position, unit in enumerate(units, start=1):
        tied = ranked and ranked[-1].sort_key() == unit.sort_key()
        ranked.append(replace(unit, rank=ranked[-1].rank if tied else position))
    return ranked
