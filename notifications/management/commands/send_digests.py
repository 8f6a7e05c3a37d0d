"""Send this ISO week's digests that are not sent yet (safe to run any day, and again)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.digests import send_digests


class Command(BaseCommand):
    help = "Send the weekly digests of the week containing --as-of (default: today); never twice."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="List who would get a digest; send nothing.")

    def handle(self, *_args, as_of=None, dry_run=False, **_options):
        summary = send_digests(as_of or timezone.localdate(), dry_run=dry_run)
        for line in summary.planned:
            self.stdout.write(line)
        self.stdout.write(summary.line())
