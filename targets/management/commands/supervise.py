"""Evaluate every goal and project of a plan and keep the finding register up to date.

    manage.py supervise [--as-of YYYY-MM-DD] [--plan YEAR]

Without --plan, every plan whose period contains the date, and every earlier plan until each of
its items has its final verdict (年终评价). With --plan, a plan whose verdicts are all made is
evaluated as of the date of its last verdict, never later. Safe to repeat: a re-run for the same
date leaves the same snapshots, events, findings and verdicts.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from targets.engine.supervision import RunInProgress, nothing_to_do_hint, supervise_plans
from targets.models import Plan


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2023-06-30, got {value!r}.") from None


class Command(BaseCommand):
    help = "Evaluate goals and projects against their schedules and maintain the findings (督办事项)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=str, default=None, help="Evaluation date, YYYY-MM-DD (default: today, Asia/Shanghai)."
        )
        parser.add_argument(
            "--plan", type=int, default=None, help="Plan year (default: every plan whose period contains the date)."
        )

    def handle(self, *_args, as_of, plan, **_options):
        day = iso_date(as_of) if as_of else timezone.localdate()
        try:
            summaries = supervise_plans(day, plan)
        except (Plan.DoesNotExist, RunInProgress) as exc:
            raise CommandError(str(exc)) from None
        if not summaries:
            self.stdout.write(nothing_to_do_hint(day))
        for summary in summaries:
            self.stdout.write(self.style.SUCCESS(summary.line()))
