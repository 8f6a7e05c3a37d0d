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

from targets import judging
from targets.choices import StatusChoice
from targets.models import Plan, ProgressReport
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
            "target__cadence",
            "target__publication_lag_days",
        )
    )
    _date, colours = statuses(plan, as_of, selected)
    findings = open_findings(as_of, selected)
    submitted_by_item: dict[int, list[tuple[dt.date, dt.datetime]]] = defaultdict(list)
    for item_id, period, submitted in ProgressReport.objects.filter(
        item__in=selected.values("pk"), period__gte=plan.period_start, period__lte=as_of
    ).values_list("item_id", "period", "submitted_at"):
        submitted_by_item[item_id].append((period, submitted))
    deadlines: dict[dt.date, dt.datetime] = {}  # due date → the first moment after it (local time)

    def on_time(pk: int, point: judging.Point) -> bool:
        deadline = deadlines.get(point.due)
        if deadline is None:
            deadline = deadlines[point.due] = timezone.make_aware(
                dt.datetime.combine(point.due + dt.timedelta(days=1), dt.time())
            )
        return any(point.first <= period <= point.last and at < deadline for period, at in submitted_by_item.get(pk, ()))

    names: dict[int, str] = {}
    tally: dict[int, list[int]] = defaultdict(lambda: [0] * 7)  # items, evaluated, on time, due, on time, findings, worst
    for pk, kind, unit_id, unit, metric_kind, source, mode, start, end, cadence, lag in rows:
        names[unit_id] = unit
        counts = tally[unit_id]
        counts[0] += 1
        colour = colours.get(pk)
        if colour and colour != StatusChoice.GREY:
            counts[1] += 1
            counts[2] += colour in ON_TIME
        if judging.owes_reports(kind, metric_kind, source, mode, cadence):
            # Seasonal windows need the checkpoint dates: counted as the period end's one figure here.
            for point in judging.points(cadence or "", start, end, plan.report_due_day, lag):
                if as_of <= point.due:
                    break
                counts[3] += 1
                counts[4] += on_time(pk, point)
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
