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

from django.utils import timezone

from targets.choices import ActualSource, ItemKind, StatusChoice
from targets.evaluation import CUMULATIVE_KINDS, SCHEDULED_MODES
from targets.models import Plan, ProgressReport
from targets.schedule import report_due_date, reporting_calendar
from targets.spreadsheets import one_decimal

from .filters import Filters, items
from .status import open_findings, statuses

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


def ranking(plan: Plan, as_of: dt.date, filters: Filters) -> list[UnitRank]:
    """Five queries: the items, the run date, the colours, the reports and the open findings."""
    selected = items(plan, filters).filter(lead_department__isnull=False)
    rows = list(
        selected.values_list(
            "pk",
            "kind",
            "lead_department_id",
            "lead_department__name",
            "target__metric_kind",
            "target__actual_source",
            "schedule_mode",
            "period_start",
            "period_end",
        )
    )
    _date, colours = statuses(plan, as_of, selected)
    findings = open_findings(as_of, selected)
    on_time_reports: set[tuple[int, dt.date]] = set()
    deadlines: dict[dt.date, dt.datetime] = {}  # reporting month → the first moment after its due day (local time)
    for item_id, period, submitted in ProgressReport.objects.filter(
        item__in=selected.values("pk"), period__gte=plan.period_start, period__lte=as_of
    ).values_list("item_id", "period", "submitted_at"):
        deadline = deadlines.get(period)
        if deadline is None:
            day_after = report_due_date(period, plan.report_due_day) + dt.timedelta(days=1)
            deadline = deadlines[period] = timezone.make_aware(dt.datetime.combine(day_after, dt.time()))
        if submitted < deadline:
            on_time_reports.add((item_id, period))

    names: dict[int, str] = {}
    tally: dict[int, list[int]] = defaultdict(lambda: [0] * 7)  # items, evaluated, on time, due, on time, findings, worst
    for pk, kind, unit_id, unit, metric_kind, source, mode, start, end in rows:
        names[unit_id] = unit
        counts = tally[unit_id]
        counts[0] += 1
        colour = colours.get(pk)
        if colour and colour != StatusChoice.GREY:
            counts[1] += 1
            counts[2] += colour in ON_TIME
        if expects_reports(kind, metric_kind, source, mode):
            for month, due in reporting_calendar(start, end, 2, plan.report_due_day):
                if as_of <= due:
                    break
                counts[3] += 1
                counts[4] += (pk, month) in on_time_reports
        found = findings.get(pk)
        if found:
            counts[5] += found.count
            counts[6] = max(counts[6], found.worst_level)

    units = [
        UnitRank(0, unit_id, names[unit_id], *counts[:6], counts[6] or None)  # rank set below
        for unit_id, counts in tally.items()
    ]
    units.sort(key=lambda u: (*u.sort_key(), u.unit, u.unit_id))
    ranked: list[UnitRank] = []
    for position, unit in enumerate(units, start=1):
        tied = ranked and ranked[-1].sort_key() == unit.sort_key()
        ranked.append(replace(unit, rank=ranked[-1].rank if tied else position))
    return ranked
