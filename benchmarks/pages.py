"""Time the pages people look at on a large register: the dashboard, its .xlsx and every admin list and page.

Run by hand against a migrated PostgreSQL database. With --seed it first builds the register the
figures in docs/performance-pages.md come from (skipped when the plan already holds that many
projects, so a second run reuses it):

    manage.py loaddata plan_2023
    manage.py seed_demo --projects 100000 --seed 1
    manage.py supervise --as-of 2023-07-10 --plan 2023
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_h7 .venv/bin/python benchmarks/pages.py --seed --runs 4

It logs in a throwaway superuser `pages-bench` (deleted at the end) with Django's test client,
DEBUG off, and requests each page once to warm up, then --runs times, printing the median and p95
wall time, the statements sent (every run's count), the bytes of the response and the time of the
first request (for the dashboard: the selection's figures counted from the cells and cached;
DUBAN_DASHBOARD_CACHE_SECONDS=0 counts everything on every request). It first counts the dashboard's
cells as each supervision run does in the background, and prints how long that took. The pages: the
admin home, the dashboard without and with filters and its .xlsx (streamed: the time is until the
last byte), the three finding lists, and the change list, page 500 of the change list (where there
is one) and the change page of the first row of every model registered in the admin.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from supervise import QueryCounter  # benchmarks/ is on sys.path when a script here runs

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_h7"
ROOT = Path(__file__).resolve().parent.parent


def seed(projects: int, as_of: str, year: int) -> None:
    """Build the register with the management commands (each step is skipped when already done)."""
    from targets.models import Plan, SupervisionRun, TrackedItem

    manage = [sys.executable, str(ROOT / "manage.py")]
    if not Plan.objects.filter(year=year).exists():
        subprocess.run([*manage, "loaddata", f"plan_{year}"], check=True)
    held = TrackedItem.objects.filter(plan__year=year, kind="project").count()
    if held < projects:
        subprocess.run([*manage, "seed_demo", "--projects", str(projects), "--seed", "1"], check=True)
    if not SupervisionRun.objects.filter(plan__year=year, as_of=as_of, finished_at__isnull=False).exists():
        subprocess.run([*manage, "supervise", "--as-of", as_of, "--plan", str(year)], check=True)


def line(label: str, times: list[float], queries: list[int], size: int, first: float) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    counts = "/".join(str(n) for n in sorted(set(queries)))
    return (
        f"{label:<44} median {statistics.median(ordered) * 1000:>7.0f} ms  p95 {p95 * 1000:>7.0f} ms"
        f"  queries {counts:>5}  {size / 1024:>9,.1f} KB  (first request {first * 1000:,.0f} ms)"
    )


def pages(plan) -> list[tuple[str, str]]:
    """(label, url) of every page measured."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    from targets.models import TrackedItem

    unit_id = (
        TrackedItem.objects.filter(plan=plan, lead_department__isnull=False)
        .values_list("lead_department_id", flat=True)
        .order_by("lead_department_id")
        .first()
    )
    dashboard, xlsx = reverse("admin:dashboard"), reverse("admin:dashboard_xlsx")
    result = [
        ("admin home", reverse("admin:index")),
        ("dashboard", f"{dashboard}?month=2023-07"),
        ("dashboard, one unit", f"{dashboard}?month=2023-07&unit={unit_id}"),
        ("dashboard, category + level", f"{dashboard}?month=2023-07&category=industrial&level=is_district_key"),
        ("dashboard .xlsx", f"{xlsx}?month=2023-07"),
        ("dashboard .xlsx, one unit", f"{xlsx}?month=2023-07&unit={unit_id}"),
    ]
    findings = reverse("admin:targets_finding_changelist")
    result += [(f"findings ?list={mode}", f"{findings}?list={mode}") for mode in ("problem", "responsibility", "rectification")]
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label):
        opts = model._meta
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        result.append((f"{opts.label} list", changelist))
        rows = model._default_manager.all()
        if rows.count() > 500 * model_admin.list_per_page:
            result.append((f"{opts.label} list ?p=500", f"{changelist}?p=500"))
        first = rows.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            result.append((f"{opts.label} change", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first])))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--seed", action="store_true", help="seed the register first (skipped when already there)")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--as-of", default="2023-07-10", help="the supervision run to make with --seed")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--only", default="", help="measure only pages whose label contains this text")
    parser.add_argument("--skip", default="", help="leave out pages whose label contains this text")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from targets.models import Plan, TrackedItem

    if args.seed:
        seed(args.projects, args.as_of, args.year)
    setup_test_environment()  # the test client's host and template hooks, with DEBUG still off
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plan = Plan.objects.get(year=args.year)
    projects = TrackedItem.objects.filter(plan=plan, kind="project").count()
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"database {connection.settings_dict['NAME']}; plan {plan.year}: {projects:,} projects; {args.runs} runs")
    print(f"load average at start: {' '.join(load)}")

    if settings.DUBAN_DASHBOARD_CACHE_SECONDS > 0:
        # What each supervision run does in the background (projects.dashboard.warming.warm): the
        # dashboard's cells and the register's roll-ups, so a selection's first request counts neither.
        from projects.dashboard import warming

        start = time.perf_counter()
        warming.warm(plan)
        print(f"dashboard cells counted (after each run, in the background): {(time.perf_counter() - start) * 1000:,.0f} ms")

    user_model = get_user_model()
    user_model.objects.filter(username="pages-bench").delete()
    user = user_model.objects.create_superuser("pages-bench", "bench@example.invalid", None)
    client = Client()
    client.force_login(user)
    try:
        for label, url in pages(plan):
            if (args.only and args.only not in label) or (args.skip and args.skip in label):
                continue
            times, queries, size, first = [], [], 0, 0.0
            for run in range(args.runs + 1):  # the first is a warm-up
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    start = time.perf_counter()
                    response = client.get(url)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    seconds = time.perf_counter() - start
                if response.status_code != 200:
                    print(f"{label:<58} HTTP {response.status_code} {url}")
                    break
                if not run:
                    first = seconds  # cold: the dashboard's figures are counted and cached here
                else:
                    times.append(seconds)
                    queries.append(counter.count)
                    size = len(body)
            else:
                print(line(label, times, queries, size, first), flush=True)
    finally:
        user.delete()
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"load average at end: {' '.join(load)}")


if __name__ == "__main__":
    main()
