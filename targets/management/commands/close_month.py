"""Close a statistics month (月度锁定) once its reports are reviewed.

    manage.py close_month 2023-06 [--plan 2023]

Stores the month's official snapshot (every item as of the month end); from then on a report dated
in the month is refused. Without --plan, the plan whose period contains the month.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets import periods
from targets.models import Plan


def month_argument(text: str):
    try:
        return periods.parse_month(text)
    except ValueError:
        raise CommandError(f"The month must look like 2023-06, got {text!r}.") from None


def plan_for(month, year: int | None) -> Plan:
    if year is not None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"No plan for {year}.")
        return plan
    plans = list(Plan.objects.filter(period_start__lte=periods.month_end(month.year, month.month), period_end__gte=month))
    if len(plans) != 1:
        raise CommandError(f"{'No plan' if not plans else 'More than one plan'} covers {month:%Y-%m}; name it with --plan.")
    return plans[0]


class Command(BaseCommand):
    help = "Close a statistics month: store its official snapshot and refuse reports dated in it."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The statistics month, YYYY-MM.")
        parser.add_argument("--plan", type=int, default=None, help="Plan year (default: the plan covering the month).")

    def handle(self, *_args, month, plan, **_options):
        month = month_argument(month)
        plan = plan_for(month, plan)
        try:
            close = periods.close_month(plan, month)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        counts = ", ".join(f"{colour} {n}" for colour, n in sorted(close.counts.items()))
        self.stdout.write(self.style.SUCCESS(f"plan {plan.year} month {month:%Y-%m} closed: {close.items} items ({counts})."))
