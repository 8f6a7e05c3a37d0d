"""Drop the uploaded files of Excel imports older than --days (default 90); previews and history stay.

    manage.py purge_imports [--days 90]

A batch that was never confirmed by then is closed as failed. Safe to run again: a purged batch is
not touched twice. Beat runs the same (task projects.purge_imports) on the 1st of every month.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from projects.imports import jobs


class Command(BaseCommand):
    help = "Drop the uploaded files of Excel imports older than --days (previews, errors and history stay)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=jobs.KEEP_FILES_DAYS,
            help=f"Keep the files of the last N days (default {jobs.KEEP_FILES_DAYS}).",
        )

    def handle(self, *_args, days, **_options):
        if days < 1:
            days = 1  # today's batches may still be confirmed
        purged = jobs.purge_files(timezone.now() - dt.timedelta(days=days))
        self.stdout.write(f"Removed the files of {purged} imports older than {days} days.")
