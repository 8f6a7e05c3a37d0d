"""Send the escalation notices and monthly report reminders that are due and not sent yet."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.notices import send_notices


class Command(BaseCommand):
    help = "Send due escalation notices and monthly report reminders (each at most once)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *_args, as_of=None, **_options):
        summaries = send_notices(as_of or timezone.localdate())
        for summary in summaries:
            self.stdout.write(summary.line())
        if any(summary.failed or summary.breaker.open for summary in summaries):
            # Exit 1 (the failed rows stay in the ledger; the next daily run sends them).
            problem = summaries[0].breaker.error or "some notices failed"
            raise CommandError(f"not everything was sent: {problem}")
