"""Reopen a closed statistics month, with the reason (audited).

    manage.py reopen_month 2023-06 --reason "..." [--plan 2023]

Reports dated in the month may be filed and corrected again; the next close_month rebuilds the
month's snapshot.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets import periods

from .close_month import month_argument, plan_for


class Command(BaseCommand):
    help = "Reopen a closed statistics month, with the reason."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The statistics month, YYYY-MM.")
        parser.add_argument("--reason", required=True, help="Why the month is reopened (kept in the audit log).")
        parser.add_argument("--plan", type=int, default=None, help="Plan year (default: the plan covering the month).")

    def handle(self, *_args, month, reason, plan, **_options):
        month = month_argument(month)
        plan = plan_for(month, plan)
        try:
            periods.reopen_month(plan, month, reason=reason)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"plan {plan.year} month {month:%Y-%m} reopened."))
