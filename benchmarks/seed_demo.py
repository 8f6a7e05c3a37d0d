"""Time the demo register: rows per table, seconds, peak memory.

Run by hand against a migrated database; like seed_demo, it replaces the plan's demo projects:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_seed .venv/bin/python benchmarks/seed_demo.py --projects 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan", type=int, default=2023)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection

    from projects import demo

    plan, _ = demo.ensure_plan(args.plan)
    started = time.monotonic()
    cleared = demo.delete_demo_register(plan)
    clear_seconds = time.monotonic() - started

    started = time.monotonic()
    counts = demo.seed_register(
        plan, projects=args.projects, seed=args.seed, through=dt.date(plan.year, 12, 1), batch_size=args.batch_size
    )
    seconds = time.monotonic() - started
    rows = sum(counts.values())

    print(f"database        {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"cleared         {cleared:,} projects in {clear_seconds:.1f}s")
    for table, count in counts.items():
        print(f"{table:<15} {count:>12,}")
    print(f"rows            {rows:>12,} in {seconds:.1f}s ({rows / seconds:,.0f} rows/s)")
    print(f"peak memory     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")  # ru_maxrss is KB on Linux


if __name__ == "__main__":
    main()
