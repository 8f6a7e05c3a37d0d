"""Send the escalation notices and monthly report reminders that are due and not sent yet."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.notices import send_notices


class Command(BaseCommand):
    help = "Send due escalation notices and monthly report reminders (each at most once)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *_args, as_of=None, **_options):
        for summary in send_notices(as_of or timezone.localdate()):
            self.stdout.write(summary.line())
