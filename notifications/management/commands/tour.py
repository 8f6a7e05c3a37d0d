"""Bring the demo alive at a date in 2023 and print where to look (`make tour`).

    manage.py tour [--as-of 2023-07-10] [--port 8000]

Run after `manage.py setup_demo` (the plan and the demo logins). It adds the demo register if the
plan has none (`seed_demo --projects 240 --seed 1 --through` the month before), runs supervision at
the date (`supervise --as-of … --plan 2023`: a date in 2023, never today), writes a preview of that
week's staff digest to artifacts/tour/ (nothing is sent), issues a read-only API token for `staff`
and prints the pages to open. Safe to repeat: an existing demo register is kept, a re-run of
supervision for the same date changes nothing; each run issues one more token (revoke old ones in
the admin, API令牌).
"""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from notifications.tour import write_staff_digest_preview
from projects.models import Project
from targets.demo_logins import DEFAULT_PASSWORD
from targets.models import Plan

PLAN_YEAR = 2023


class Command(BaseCommand):
    help = "Seed the demo register, run supervision at a 2023 date, preview a digest and print where to look."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=dt.date(2023, 7, 10), help="A date in 2023 (default 2023-07-10)."
        )
        parser.add_argument("--port", type=int, default=8000, help="The port `make run` serves on (default 8000).")
        parser.add_argument(
            "--preview-dir", type=Path, default=None, help="Where the digest preview goes (default artifacts/tour/)."
        )

    def handle(self, *_args, as_of: dt.date, port: int, preview_dir: Path | None = None, **_options):
        plan = Plan.objects.filter(year=PLAN_YEAR).first()
        if plan is None:
            raise CommandError("Plan 2023 is not loaded: run `./manage.py setup_demo` (or `make run`) first.")
        if not plan.period_start <= as_of <= plan.period_end:
            raise CommandError(f"--as-of must be a date in {PLAN_YEAR}, got {as_of}.")
        base = f"http://127.0.0.1:{port}"
        say = self.stdout.write

        through = (as_of.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        if Project.objects.filter(plan=plan, is_demo=True).exists():
            say(f"1. Demo register: already there ({Project.objects.filter(plan=plan, is_demo=True).count()} projects), kept.")
        else:
            say(f"1. Demo register: seed_demo --projects 240 --seed 1 --through {through} …")
            call_command("seed_demo", projects=240, seed=1, plan=PLAN_YEAR, through=through, stdout=StringIO(), stderr=StringIO())

        say(f"2. Supervision: supervise --as-of {as_of} --plan {PLAN_YEAR}")
        out = StringIO()
        call_command("supervise", as_of=as_of.isoformat(), plan=PLAN_YEAR, stdout=out)
        for line in out.getvalue().splitlines():
            say(f"   {line}")

        preview = write_staff_digest_preview(as_of, preview_dir or Path(settings.BASE_DIR) / "artifacts" / "tour")
        out = StringIO()
        call_command("send_digests", as_of=as_of, dry_run=True, stdout=out)
        recipients = out.getvalue().splitlines()
        say(f"3. Digests: {len(recipients) - 1} would go out for that week (send_digests --as-of {as_of} --dry-run);")
        say(f"   the staff digest is previewed in {shown(preview)} (open it in a browser).")

        out = StringIO()
        call_command("issue_token", "staff", read_only=True, name="make tour", stdout=out)
        token = out.getvalue().strip()
        say("4. A read-only API token for `staff` (shown once; revoke it in the admin, API令牌):")
        say(f"   {token}")

        month = as_of.strftime("%Y-%m")
        findings = reverse("admin:targets_finding_changelist")
        self.stdout.write(self.style.SUCCESS(f"\nNow serve it (`make run`) and log in as staff / {demo_password()}:"))
        say(f"  dashboard for {month}     {base}{reverse('admin:dashboard')}?month={month}")
        say(f"  问题清单 (problems)        {base}{findings}?list=problem")
        say(f"  责任清单 (responsibility)  {base}{findings}?list=responsibility")
        say(f"  整改清单 (rectification)   {base}{findings}?list=rectification")
        say(f"  supervision runs          {base}{reverse('admin:targets_supervisionrun_changelist')}")
        say("  the API with the token:")
        say(f'    curl -s -H "Authorization: Token {token}" "{base}/api/v1/targets/?plan={PLAN_YEAR}&as_of={as_of}"')
        say(f"  API docs (log in first)   {base}/api/docs/")
        say("Log in as unit to see what a responsible unit sees (its own items editable, the rest read-only).")


def demo_password() -> str:
    return os.environ.get("DUBAN_DEMO_PASSWORD") or DEFAULT_PASSWORD


def shown(path: Path) -> str:
    """A path relative to the project when it is inside it (what a newcomer would type)."""
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)
