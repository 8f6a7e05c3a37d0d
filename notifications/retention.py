"""The daily retention job over every app (notifications may import targets and projects).

    apply_retention(now) -> RetentionSummary

Settings (config/settings/base.py, each from the environment):
- DUBAN_SNAPSHOT_DAILY_DAYS: daily status snapshots kept day by day (then month ends and each
  item's latest only; targets.retention.thin_snapshots);
- DUBAN_DELIVERY_RETENTION_DAYS: e-mail delivery ledger rows (发送记录) kept;
- DUBAN_HISTORY_RETENTION_DAYS: audit history (历史) kept; 0 = for good;
- expired sessions are cleared every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from targets import retention

from .models import Delivery


@dataclass
class RetentionSummary:
    snapshots: int = 0
    deliveries: int = 0
    history: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        history = sum(self.history.values())
        return (
            f"retention: {self.snapshots} daily snapshots thinned, {self.deliveries} delivery ledger rows and "
            f"{history} history rows removed, expired sessions cleared"
        )


def purge_deliveries(now: dt.datetime, keep_days: int) -> int:
    """Ledger rows older than keep_days. A key removed could be sent again only by a run for that
    long-past period; the daily retry looks back one week."""
    count, _ = Delivery.objects.filter(created_at__lt=now - dt.timedelta(days=keep_days)).delete()
    return count


def apply_retention(now: dt.datetime | None = None) -> RetentionSummary:
    now = now or timezone.now()
    summary = RetentionSummary()
    summary.snapshots = retention.thin_snapshots(timezone.localdate(now), settings.DUBAN_SNAPSHOT_DAILY_DAYS)
    summary.deliveries = purge_deliveries(now, settings.DUBAN_DELIVERY_RETENTION_DAYS)
    summary.history = retention.purge_history(now, settings.DUBAN_HISTORY_RETENTION_DAYS)
    retention.clear_sessions()
    return summary
