"""The year roll-over (年度结转): carry a plan's unfinished register into the next year's plan.

    manage.py rollover 2023 2024            # prints what it would do (a dry run: nothing is written)
    manage.py rollover 2023 2024 --apply    # does it, all or nothing; running it again changes nothing

See projects.rollover and docs/rollover.md.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.rollover import roll_over
from targets.models import Plan


class Command(BaseCommand):
    help = "Roll a plan over into the next year's: plan, draft goals, unfinished projects, open findings."

    def add_arguments(self, parser):
        parser.add_argument("source_year", type=int, help="The plan to roll over, e.g. 2023.")
        parser.add_argument("target_year", type=int, help="The new plan's year, e.g. 2024.")
        parser.add_argument("--apply", action="store_true", help="Do it (without: print what it would do).")

    def handle(self, *_args, source_year: int, target_year: int, apply: bool, **_options):
        started = time.monotonic()
        try:
            with transaction.atomic():
                summary = roll_over(source_year, target_year, apply=apply)
        except Plan.DoesNotExist as exc:
            raise CommandError(f"No plan for {source_year}.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines(applied=apply):
            self.stdout.write(line)
        if apply:
            self.stdout.write(self.style.SUCCESS(f"{summary.changes} changes in {time.monotonic() - started:.1f}s."))
