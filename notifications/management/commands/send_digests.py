"""Send this ISO week's digests that are not sent yet (safe to run any day, and again).

Exits with status 1 when a digest could not be sent (or the mail server could not be reached), so
cron, CI and the operator notice; the failed rows stay in the ledger and the daily retry
(--retry, task notifications.retry_digests) sends them.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.digests import retry_digests, send_digests


class Command(BaseCommand):
    help = "Send the weekly digests of the week containing --as-of (default: today); never twice."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="List who would get a digest; send nothing.")
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Instead: send what this and last week's runs left unsent (failed or interrupted).",
        )

    def handle(self, *_args, as_of=None, dry_run=False, retry=False, **_options):
        day = as_of or timezone.localdate()
        if retry:
            summaries = retry_digests(day)
            if not summaries:
                self.stdout.write("digests: nothing to retry for this or last week")
        else:
            summaries = [send_digests(day, dry_run=dry_run)]
        for summary in summaries:
            for line in summary.planned:
                self.stdout.write(line)
            self.stdout.write(summary.line())
        failed = [summary for summary in summaries if not summary.ok]
        if failed:
            raise CommandError("; ".join(summary.line() for summary in failed))
