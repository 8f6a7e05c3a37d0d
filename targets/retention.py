"""Retention: what old rows are thinned or removed, and what is kept for good.

    thin_snapshots(as_of, keep_days) -> deleted count
    purge_history(now, keep_days) -> {history table: deleted count}
    clear_sessions() -> None

Daily status snapshots (about 730 bytes per item per day: 27 GB a year at 100,000 items) are kept
day by day for `keep_days`; older ones are thinned to the month ends (the statistics points every
report, round and chart reads) and each item's latest snapshot (a finished plan's last word). The
finding register, colour events and supervision runs are never thinned. The caller
(notifications.retention, which may import every app) runs these daily.
"""

from __future__ import annotations

import datetime as dt
import logging
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from .engine.schedule import month_end
from .models import StatusSnapshot

log = logging.getLogger(__name__)


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day.year, day.month)


def thin_snapshots(as_of: dt.date, keep_days: int) -> int:
    """Delete daily snapshots older than `keep_days` before `as_of`, except month ends and each
    item's latest snapshot. One transaction per date, so a run can stop anywhere and resume."""
    cutoff = as_of - dt.timedelta(days=keep_days)
    latest = (
        StatusSnapshot.objects.filter(item_id=OuterRef("item_id")).values("item_id").annotate(last=Max("date")).values("last")
    )
    days = StatusSnapshot.objects.filter(date__lt=cutoff).values_list("date", flat=True).distinct().order_by("date")
    deleted = 0
    for day in days:
        if is_month_end(day):
            continue
        with transaction.atomic():
            count, _ = StatusSnapshot.objects.filter(date=day, date__lt=Subquery(latest)).delete()
        deleted += count
    if deleted:
        log.info("retention: %s daily snapshots before %s thinned to month ends", deleted, cutoff)
    return deleted


def purge_history(now: dt.datetime, keep_days: int) -> dict[str, int]:
    """Delete audit-history rows (django-simple-history, every app) older than `keep_days`;
    keep_days 0 keeps them all. The settings refuse less than 180 days (等保: audit ≥ 180 days)."""
    if not keep_days:
        return {}
    before = now - dt.timedelta(days=keep_days)
    removed = {}
    for model in {m for m in registered_models.values()}:
        try:
            history = get_history_model_for_model(model)
        except NotHistoricalModelError:
            continue
        count, _ = history.objects.filter(history_date__lt=before).delete()
        if count:
            removed[history._meta.db_table] = count
    return removed


def clear_sessions() -> None:
    """Expired login sessions (what `manage.py clearsessions` does), on the daily schedule."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
