"""Time the supervision run on a large register against a plain SQL read of the same rows.

Run by hand against a migrated PostgreSQL database filled by seed_demo (the figures in README.md
come from `seed_demo --projects 100000 --seed 1`: 100,000 items, 1.1M checkpoints, 375k milestones,
1.09M reports):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_seed .venv/bin/python benchmarks/supervise.py --next-day

It first removes the plan's supervision results (runs, snapshots, colour changes, findings and what
hangs off them; it refuses when the plan holds items other than demo projects), so the first run is
a cold first run with nothing to catch up. Then it runs the same date again (the re-run: every
snapshot compared, nothing new) and, with --next-day, the following day (colour changes, findings
opened and escalated). Last, in the same process, it reads the rows the run reads with plain
cursor.execute() SELECTs (best of three) and prints the times and the ratio, the statements each
run sent and the peak RSS. --profile FILE writes a cProfile of the first run.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_seed"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


class QueryCounter:
    """Counts the statements Django sends (works with DEBUG off)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


VACUUMED = (
    "targets_trackeditem", "targets_target", "targets_checkpoint", "targets_progressreport", "targets_milestone",
    "targets_statusoverride", "targets_statussnapshot", "targets_statusevent", "targets_finding", "targets_escalation",
    "targets_finding_cooperating_departments", "targets_supervisionrun",
)  # fmt: skip


def reset(plan) -> dict[str, int]:
    """Remove the plan's supervision results with plain SQL (no history rows, no signals)."""
    from django.db import connection, transaction

    findings = "SELECT f.id FROM targets_finding f JOIN targets_trackeditem i ON i.id = f.item_id WHERE i.plan_id = %s"
    items = "SELECT id FROM targets_trackeditem WHERE plan_id = %s"
    statements = [
        ("round entries", f"DELETE FROM targets_roundfinding WHERE finding_id IN ({findings})"),
        ("escalations", f"DELETE FROM targets_escalation WHERE finding_id IN ({findings})"),
        ("finding updates", f"DELETE FROM targets_findingupdate WHERE finding_id IN ({findings})"),
        ("extension requests", f"DELETE FROM targets_extensionrequest WHERE finding_id IN ({findings})"),
        ("finding units", f"DELETE FROM targets_finding_cooperating_departments WHERE finding_id IN ({findings})"),
        ("finding links", f"UPDATE targets_finding SET previous_id = NULL WHERE id IN ({findings})"),
        ("findings", f"DELETE FROM targets_finding WHERE id IN ({findings})"),
        ("colour changes", f"DELETE FROM targets_statusevent WHERE item_id IN ({items})"),
        ("snapshots", f"DELETE FROM targets_statussnapshot WHERE item_id IN ({items})"),
        ("runs", "DELETE FROM targets_supervisionrun WHERE plan_id = %s"),
    ]
    removed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for label, sql in statements:
            cursor.execute(sql, [plan.pk])
            removed[label] = cursor.rowcount
    with connection.cursor() as cursor:
        # Fresh statistics and visibility maps, as autovacuum would leave them (it is off on the
        # development machine, and seed_demo's bulk inserts leave no statistics behind).
        for table in VACUUMED:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return removed


def raw_read(plan, as_of: dt.date) -> tuple[dict[str, int], float]:
    """Read what the run reads, with plain SELECTs and fetchall(): the floor for the run."""
    from django.db import connection

    queries = {
        "items": (
            "SELECT id, kind, comparator, target_value, schedule_mode, period_start, period_end, "
            "threshold_green, threshold_red, threshold_blue FROM targets_trackeditem WHERE plan_id = %s ORDER BY id",
            [plan.pk],
        ),
        "checkpoints": (
            "SELECT c.item_id, c.date, c.expected_value FROM targets_checkpoint c "
            "JOIN targets_trackeditem i ON i.id = c.item_id WHERE i.plan_id = %s ORDER BY c.item_id, c.date",
            [plan.pk],
        ),
        "reports": (
            "SELECT r.item_id, r.as_of, r.period, r.value FROM targets_progressreport r "
            "JOIN targets_trackeditem i ON i.id = r.item_id WHERE i.plan_id = %s AND r.as_of <= %s "
            "ORDER BY r.item_id, r.as_of",
            [plan.pk, as_of],
        ),
        "milestones": (
            "SELECT m.id, m.item_id, m.kind, m.title, m.planned_date, m.actual_date FROM targets_milestone m "
            "JOIN targets_trackeditem i ON i.id = m.item_id WHERE i.plan_id = %s ORDER BY m.item_id, m.planned_date, m.id",
            [plan.pk],
        ),
    }
    rows: dict[str, int] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(sql, params)
            rows[name] = len(cursor.fetchall())
    return rows, time.perf_counter() - started


def timed_run(plan, as_of: dt.date, profile: str | None = None):
    from django.db import connection

    from targets.engine.supervision import supervise

    counter = QueryCounter()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = supervise(plan, as_of)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    if profiler:
        profiler.dump_stats(profile)
    return summary, seconds, counter.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=int, default=2023)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2023, 7, 10))
    parser.add_argument("--no-reset", action="store_true", help="Keep earlier results (the first run is then a re-run).")
    parser.add_argument("--force", action="store_true", help="Reset even though the plan has items that are not demo rows.")
    parser.add_argument("--no-rerun", action="store_true", help="Skip the second run of the same date.")
    parser.add_argument("--next-day", action="store_true", help="Also time the run of the following day.")
    parser.add_argument("--profile", default=None, help="Write a cProfile of the first run to this file.")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DEBUG"] = "false"  # no query log: it would grow by every statement
    import django

    django.setup()
    from django.db import connection

    from targets.models import Finding, Plan, StatusEvent, StatusSnapshot, TrackedItem

    plan = Plan.objects.get(year=args.plan)
    print(f"database        {connection.vendor} {connection.settings_dict['NAME']} ({os.cpu_count()} CPUs)")
    print(f"plan            {plan.year}, items {plan.items.count():,}, as of {args.as_of}")
    real = TrackedItem.objects.filter(plan=plan).exclude(project__is_demo=True).count()
    if real and not args.no_reset and not args.force:
        # The reset deletes the plan's findings and snapshots: only on a demo register.
        sys.exit(f"plan {plan.year} has {real:,} items that are not demo projects: refusing to reset (--force, or --no-reset)")
    if not args.no_reset:
        removed = reset(plan)
        print("reset           " + ", ".join(f"{label} {count:,}" for label, count in removed.items() if count))

    summary, run_seconds, run_queries = timed_run(plan, args.as_of, args.profile)
    run_rss = peak_rss_mb()
    print(f"run             {run_seconds:6.2f} s, {run_queries} queries, peak RSS {run_rss:,.0f} MB")
    print(f"                {summary.line()}")

    if not args.no_rerun:
        again, rerun_seconds, rerun_queries = timed_run(plan, args.as_of)
        print(f"re-run          {rerun_seconds:6.2f} s, {rerun_queries} queries, peak RSS {peak_rss_mb():,.0f} MB")
        print(f"                {again.line()}")
    if args.next_day:
        following = args.as_of + dt.timedelta(days=1)
        after, next_seconds, next_queries = timed_run(plan, following)
        print(f"next day        {next_seconds:6.2f} s, {next_queries} queries, peak RSS {peak_rss_mb():,.0f} MB")
        print(f"                {after.line()}")

    # The best of three reads: the ratio errs on the side of the run looking slower.
    reads = [raw_read(plan, args.as_of) for _ in range(3)]
    rows, raw_seconds = reads[0][0], min(seconds for _rows, seconds in reads)
    total = sum(rows.values())
    print(f"raw read        {raw_seconds:6.2f} s, {total:,} rows (" + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + ")")
    print("                reads: " + ", ".join(f"{seconds:.2f} s" for _rows, seconds in reads))
    print(f"ratio           {run_seconds / raw_seconds:6.2f} × the raw read (goal ≤ 5×; run goal ≤ 20 s)")
    if not args.no_rerun:
        print(f"re-run ratio    {rerun_seconds / raw_seconds:6.2f} ×")
    print(
        f"written         snapshots {StatusSnapshot.objects.filter(item__plan=plan, date=args.as_of).count():,}, "
        f"colour changes {StatusEvent.objects.filter(item__plan=plan).count():,}, "
        f"findings {Finding.objects.filter(item__plan=plan).count():,}"
    )
    print(f"peak RSS        {peak_rss_mb():,.0f} MB (whole process)")


if __name__ == "__main__":
    main()
