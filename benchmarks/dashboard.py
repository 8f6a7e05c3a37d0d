"""Time the 三图表 dashboard page and its .xlsx on the demo register: queries and render time over N runs.

Run by hand against a migrated PostgreSQL database holding the 2023 plan, the 240-project demo
register and a supervision run (the figures in the dashboard's report come from exactly this):

    manage.py loaddata plan_2023
    manage.py seed_demo --projects 240 --seed 1
    manage.py supervise --as-of 2023-07-10 --plan 2023
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_h_dash .venv/bin/python benchmarks/dashboard.py --runs 20

It logs in a throwaway superuser `dashboard-bench` (deleted at the end) with Django's test client
(DEBUG off, so no query log), requests /admin/dashboard/ and /admin/dashboard/xlsx/ for the chosen
month --runs times after one warm-up request each, and prints for each URL the statements sent per
request and the min / median / p95 / max wall time, plus the time spent building the sections
alone (projects.dashboard.data.build) and the page size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from supervise import QueryCounter  # benchmarks/ is on sys.path when a script here runs

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_h_dash"


def summary(label: str, times: list[float], queries: set[int], extra: str = "") -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    ms = [f"{value * 1000:.0f}" for value in (ordered[0], statistics.median(ordered), p95, ordered[-1])]
    counts = ", ".join(str(n) for n in sorted(queries))
    return f"{label:<28} queries {counts:<6} min {ms[0]:>4} ms  median {ms[1]:>4} ms  p95 {ms[2]:>4} ms  max {ms[3]:>4} ms{extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--month", default="2023-07", help="as-of month, YYYY-MM (default 2023-07)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()

    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from projects.dashboard.data import build
    from projects.dashboard.filters import Filters
    from targets.models import Plan, TrackedItem

    setup_test_environment()  # the test client's host and template hooks, with DEBUG still off
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    year, month = (int(part) for part in args.month.split("-"))
    plan = Plan.objects.get(year=year)
    projects = TrackedItem.objects.filter(plan=plan, kind="project").count()
    print(
        f"database {connection.settings_dict['NAME']} ({connection.vendor}); plan {plan.year}: {projects} projects; month {args.month}; {args.runs} runs"
    )

    user_model = get_user_model()
    user_model.objects.filter(username="dashboard-bench").delete()
    user = user_model.objects.create_superuser("dashboard-bench", "bench@example.invalid", None)
    client = Client()
    client.force_login(user)
    try:
        for label, url in (
            ("GET /admin/dashboard/", reverse("admin:dashboard")),
            ("GET /admin/dashboard/xlsx/", reverse("admin:dashboard_xlsx")),
        ):
            client.get(url, {"month": args.month})  # warm-up: templates, caches
            times, queries, size = [], set(), 0
            for _run in range(args.runs):
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    start = time.perf_counter()
                    response = client.get(url, {"month": args.month})
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
                queries.add(counter.count)
                size = len(response.content)
            print(summary(label, times, queries, f"  ({size / 1024:.0f} KB)"))

        chosen = Filters(month=dt.date(year, month, 1))
        times, queries = [], set()
        for _run in range(args.runs):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                build(plan, chosen)
                times.append(time.perf_counter() - start)
            queries.add(counter.count)
        print(summary("sections only (data.build)", times, queries))
    finally:
        user.delete()


if __name__ == "__main__":
    main()
