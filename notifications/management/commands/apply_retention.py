"""Thin old daily snapshots, drop old ledger and history rows, clear expired sessions (daily by beat).

The periods are settings (DUBAN_SNAPSHOT_DAILY_DAYS, DUBAN_DELIVERY_RETENTION_DAYS,
DUBAN_HISTORY_RETENTION_DAYS); see notifications/retention.py and docs/resilience.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.retention import apply_retention


class Command(BaseCommand):
    help = "Apply the retention settings: thin daily snapshots, purge old delivery ledger and history rows, clear sessions."

    def handle(self, *_args, **_options):
        self.stdout.write(apply_retention().line())
