"""比学赶超: the lead units ranked by on-time rate, reporting discipline and open findings.

Definitions (also stated on the page):
- On-time rate: of the unit's selected items evaluated at the month end (a colour other than grey at
  the latest supervision run on or before it), the share that is green or blue.
- Reports on time: of the monthly reports due by the month end for the unit's items that report
  monthly (projects, and hand-reported cumulative goals on a schedule, as the supervision engine
  reads them), the share submitted by the due day (report_due_day of the next month).
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

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from targets.choices import ActualSource, ItemKind, StatusChoice
from targets.evaluation import CUMULATIVE_KINDS, SCHEDULED_MODES
from targets.models import Plan, ProgressReport
from targets.schedule import report_due_date, reporting_calendar
from targets.spreadsheets import one_decimal

from .filters import Filters, items

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


def expects_reports(kind: str, metric_kind: str | None, source: str | None, mode: str) -> bool:
    """Does the item owe a monthly report? (the supervision engine's rule, targets.evaluation.build_chunk)."""
    if kind == ItemKind.PROJECT:
        return True
    return source != ActualSource.ROLLUP and metric_kind in CUMULATIVE_KINDS and mode in SCHEDULED_MODES


def reports_owed() -> Q:
    """expects_reports as a filter on items."""
    return Q(kind=ItemKind.PROJECT) | (
        ~Q(target__actual_source=ActualSource.ROLLUP)
        & Q(target__metric_kind__in=CUMULATIVE_KINDS, schedule_mode__in=SCHEDULED_MODES)
    )


def ranking(plan: Plan, as_of: dt.date, filters: Filters, grouped: tuple | None = None) -> list[UnitRank]:
    """Every lead unit of the selection, ranked, counted in the database whatever the register's size:
    the leader × unit lines (responsibility.group_lines, or `grouped` when the caller has them), the
    items that owe reports by period, and the reports on time by unit and month."""
    from .responsibility import group_lines

    _date, groups = grouped or group_lines(plan, as_of, filters)
    selected = items(plan, filters).filter(lead_department__isnull=False)
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

    for unit_id, kind, metric_kind, source, mode, start, end, n in (
        selected.order_by()
        .values_list(
            "lead_department_id",
            "kind",
            "target__metric_kind",
            "target__actual_source",
            "schedule_mode",
            "period_start",
            "period_end",
        )
        .annotate(n=Count("pk"))
    ):
        if expects_reports(kind, metric_kind, source, mode):
            due = sum(1 for _month, day in reporting_calendar(start, end, 2, plan.report_due_day) if as_of > day)
            tally[unit_id][3] += due * n

    # A month counts once per item: the first report of the month submitted by its due day.
    months = [month for month, day in reporting_calendar(plan.period_start, as_of, 2, plan.report_due_day) if as_of > day]
    if months:
        on_time = Q()
        for month in months:
            day_after = report_due_date(month, plan.report_due_day) + dt.timedelta(days=1)
            on_time |= Q(period=month, submitted_at__lt=timezone.make_aware(dt.datetime.combine(day_after, dt.time())))
        owing = selected.filter(reports_owed()).values("pk")
        for unit_id, n in (
            ProgressReport.objects.filter(on_time, item__in=owing)
            .filter(period__gte=TruncMonth("item__period_start"), period__lte=F("item__period_end"))
            .order_by()
            .values_list("item__lead_department_id", "period")
            .annotate(n=Count("item_id", distinct=True))
            .values_list("item__lead_department_id", "n")
        ):
            tally[unit_id][4] += n

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
