"""Add a synthetic demo register of major projects to a plan (see projects.demo).

    manage.py seed_demo --projects 240 --seed 1 [--plan 2023] [--through 2023-12] [--clear]

Re-running replaces the plan's demo register (its projects with their checkpoints, milestones,
reports and blockers) instead of adding a second one, so the command is safe to repeat; --clear
only removes it. Real (non-demo) rows are never touched. Demo codes are DEMO-<year>-<n>, so the
same seed and arguments rebuild identical rows.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects import demo
from projects.rollups import compute_all
from targets.choices import Rollup

SUMMARY_ROLLUPS = (
    (Rollup.MAJOR_PROJECTS, "major projects"),
    (Rollup.INDUSTRIAL_SHARE, "industrial share %"),
    (Rollup.DISTRICT_KEY_PROJECTS, "district key projects"),
    (Rollup.KEY_TOTAL_INVESTMENT, "key total investment 万元"),
    (Rollup.KEY_ANNUAL_PLAN, "key annual plan 万元"),
    (Rollup.NEW_STARTS, "new starts"),
    (Rollup.CONCENTRATED_STARTS, "concentrated starts"),
    (Rollup.PROVINCIAL_KEY_PROJECTS, "provincial key projects"),
    (Rollup.INVESTMENT_COMPLETION_RATE, "key completion rate %"),
)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def year_month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a month, not a moment)
    except ValueError as exc:
        raise CommandError(f"--through must look like 2023-06, got {value!r}.") from exc


class ProgressBar:
    """A text bar on a command's stderr: redrawn in place on a terminal, one line per update otherwise."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.started = stream, width, time.monotonic()
        self.in_place = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} projects  {time.monotonic() - self.started:.0f}s"
        )
        if self.in_place:
            line = "\r" + line + ("\n" if done >= total else "")
        else:
            line += "\n"
        self.stream.write(line, style_func=str, ending="")  # plain, not the red of error messages
        self.stream.flush()


class Command(BaseCommand):
    help = "Add a synthetic register of demo major projects (is_demo) to a plan, with monthly plans, reports and milestones."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=positive_int, default=240, help="Number of projects (default 240).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed and options give the same rows.")
        parser.add_argument("--plan", type=int, default=2023, help="Plan year (default 2023); the plan is created if missing.")
        parser.add_argument(
            "--through",
            help="Reports up to and including this month, YYYY-MM (default: the plan's last month if the plan is "
            "over, else the current month). Nothing is dated after today.",
        )
        parser.add_argument("--clear", action="store_true", help="Only delete the plan's demo projects; add none.")
        parser.add_argument("--batch-size", type=positive_int, default=1000, help="Rows per INSERT (default 1000).")

    def handle(self, *_args, projects, seed, plan, through, clear, batch_size, **_options):
        plan_obj, created = demo.ensure_plan(plan)
        if created:
            self.stdout.write(
                f"Created plan {plan_obj.year} “{plan_obj.title}” ({plan_obj.period_start} to {plan_obj.period_end})."
            )
        through_month = self.through_month(plan_obj, through)

        if demo.demo_projects(plan_obj).exists():
            started = time.monotonic()
            deleted = demo.delete_demo_register(plan_obj)
            self.stdout.write(f"Deleted {deleted:,} demo projects of plan {plan_obj.year} in {time.monotonic() - started:.1f}s.")
        if clear:
            return

        started = time.monotonic()
        bar = ProgressBar(self.stderr)
        counts = demo.seed_register(
            plan_obj, projects=projects, seed=seed, through=through_month, batch_size=batch_size, progress=bar
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {counts['projects']:,} demo projects to plan {plan_obj.year} (seed {seed}, reports through "
                f"{through_month:%Y-%m}) in {elapsed:.1f}s: {counts['checkpoints']:,} checkpoints, "
                f"{counts['milestones']:,} milestones, {counts['reports']:,} reports, {counts['blockers']:,} blockers."
            )
        )
        as_of = min(demo.month_end(through_month.year, through_month.month), timezone.localdate())
        rollups = compute_all(plan_obj, as_of)
        self.stdout.write(f"Plan {plan_obj.year} roll-ups as of {as_of} (the whole plan, demo and real projects):")
        for rollup, label in SUMMARY_ROLLUPS:
            self.stdout.write(f"  {label:<26} {rollups[rollup]:>18,}")

    @staticmethod
    def through_month(plan, value: str | None) -> dt.date:
        if value is None:
            return demo.default_through(plan, timezone.localdate())
        month = year_month(value)
        first, last = plan.period_start.replace(day=1), plan.period_end.replace(day=1)
        if not first <= month <= last:
            raise CommandError(f"--through {value} is outside plan {plan.year} ({first:%Y-%m} to {last:%Y-%m}).")
        return month
