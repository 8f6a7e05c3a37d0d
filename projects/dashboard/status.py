"""Colours and open findings of items as of a date, read in bulk for the dashboard's sections.

A colour is the item's StatusSnapshot at the plan's latest finished supervision run on or before the
date, as the API answers `as_of` (targets.querysets.with_status); an item without one is "not
evaluated" (None). A finding counts as open at the date when it was found on or before it and was
not closed out by then (still open now, or closed out after the date); dismissed findings never count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from targets import periods
from targets.choices import FindingState
from targets.models import Finding, Plan
from targets.querysets import open_finding


def run_date(plan: Plan, as_of: dt.date) -> dt.date | None:
    """The date of the plan's latest finished supervision run on or before as_of, or the end of a
    later closed month (月度锁定), whose official snapshot then answers (targets.periods): one query."""
    return periods.run_date(plan, as_of)


def statuses(plan: Plan, as_of: dt.date, items) -> tuple[dt.date | None, dict[int, str]]:
    """(run date, {item id: colour}) for the items (a TrackedItem queryset) as of the date: two queries."""
    date = run_date(plan, as_of)
    if date is None:
        return None, {}
    rows = periods.snapshots_on(plan, date).filter(item__in=items.values("pk")).values_list("item_id", "status")
    return date, dict(rows)


@dataclass(frozen=True)
class OpenFindings:
    count: int
    worst_level: int


def open_at(as_of: dt.date) -> Q:
    """Findings open at the end of the as-of date."""
    still_open = open_finding()
    closed_later = Q(state=FindingState.CLOSED, closed_on__gt=as_of)
    return Q(opened_on__lte=as_of) & (still_open | closed_later)


def open_findings(as_of: dt.date, items) -> dict[int, OpenFindings]:
    """{item id: (count, worst level)} of the findings open at the date on the items: one query."""
    rows = (
        Finding.objects.filter(open_at(as_of), item__in=items.values("pk"))
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"), worst=Max("level"))
        .values_list("item_id", "n", "worst")
    )
    return {item_id: OpenFindings(n, worst) for item_id, n, worst in rows}
