"""Print how every goal of a plan is judged, in the site's language (Chinese), for checking the
encoding against the plan's text in one read.

    manage.py explain_plan YEAR [--as-of YYYY-MM-DD]

The same lines as the goal page's "How this goal is judged" (targets.explain).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from targets.explain import explain_goals
from targets.models import Plan

from .supervise import iso_date


class Command(BaseCommand):
    help = "Print how every goal of a plan is judged (cadence, curve, what makes it yellow and red)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="Plan year, e.g. 2023.")
        parser.add_argument("--as-of", type=str, default=None, help="Show the next figure due after this date (YYYY-MM-DD).")

    def handle(self, *_args, year, as_of, **_options):
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"No plan for {year}.")
        day = iso_date(as_of) if as_of else None
        with translation.override(settings.LANGUAGE_CODE):
            for goal, lines in explain_goals(plan, day):
                self.stdout.write(f"{goal.code} {goal.title}")
                for line in lines:
                    self.stdout.write(f"  - {line}")
                self.stdout.write("")
