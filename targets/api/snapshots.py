"""The status figures of the rows a response shows, read after the rows are fetched.

Same answer as targets.querysets.with_status (the snapshot at the item's plan's latest finished
supervision run on or before as_of; grey and nulls without one), but in two small queries for the
whole page instead of six correlated subqueries per row: building and compiling those subqueries
cost more CPU than the rest of a list request, and the page would be fetched twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max

from ..choices import StatusChoice
from ..models import StatusSnapshot, SupervisionRun

# Attribute names the serializers read (targets.api.serializers.StatusFieldsMixin).
FIGURES = ("snapshot_expected", "snapshot_actual", "snapshot_ratio", "snapshot_forecast")
# Why an item has no snapshot (snapshot_reason): no finished run of its plan on or before the date,
# or runs exist but none judged the item (added to the plan after them).
NO_RUN = "no_run"
NOT_JUDGED = "not_judged"


def run_dates(plan_ids: Iterable[int], as_of: dt.date | None) -> dict[int, dt.date]:
    """Each plan's latest finished supervision run on or before as_of (any date when None)."""
    runs = SupervisionRun.objects.filter(plan_id__in=set(plan_ids)).finished(as_of)
    return dict(runs.order_by().values_list("plan_id").annotate(Max("as_of")))


def attach_status(items: list, as_of: dt.date | None) -> list:
    """Set snapshot_status/_date/_expected/_actual/_ratio/_forecast/_reason on each item (TrackedItem rows)."""
    if not items:
        return items
    dates = run_dates((item.plan_id for item in items), as_of)
    found: dict[tuple[int, dt.date], tuple] = {}
    if dates:
        rows = StatusSnapshot.objects.filter(item_id__in=[item.pk for item in items], date__in=set(dates.values()))
        fields = ("item_id", "date", "status", "expected", "actual", "ratio", "forecast")
        found = {(row[0], row[1]): row for row in rows.order_by().values_list(*fields)}
    for item in items:
        row = found.get((item.pk, dates.get(item.plan_id)))
        item.snapshot_reason = None
        if row is None:
            item.snapshot_status, item.snapshot_date = StatusChoice.GREY.value, None
            item.snapshot_reason = NO_RUN if item.plan_id not in dates else NOT_JUDGED
            for name in FIGURES:
                setattr(item, name, None)
        else:
            (_pk, item.snapshot_date, item.snapshot_status, *figures) = row
            for name, value in zip(FIGURES, figures, strict=True):
                setattr(item, name, value)
    return items
