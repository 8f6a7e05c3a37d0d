"""Time the Excel imports at their stated limit: a 5,000-row project ledger and a 5,000-row progress sheet.

Run by hand against a PostgreSQL database (it is migrated first; use a database of your own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_bench .venv/bin/python benchmarks/imports.py

It works on a plan of its own (year --year, default 2020, titled "导入基准测试"; it refuses a plan
of that year with another title) and deletes that plan's projects and imports first. Each import
goes the way the admin's goes (projects.imports.jobs): the batch is created, analysed (the preview
stored), claimed and applied — the apply re-analyses the file to catch a stale preview, then
writes everything in one transaction with the audit history. Figures printed: seconds for the
analysis and for the apply, rows per second over both, the statements sent, and the peak RSS.

1. the ledger, 5,000 new projects with a monthly plan (11 month columns under a merged group header);
2. the same ledger again with every name and annual plan changed (5,000 updates);
3. a progress sheet of 5,000 rows (one 1—2月 report per project);
4. the same sheet with every value changed (5,000 corrections).

The target: each import (analysis + apply) under 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

from supervise import QueryCounter, peak_rss_mb  # benchmarks/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_bench"
TITLE = "导入基准测试"
UNITS = 20


def ledger_file(year: int, rows: int, suffix: str = "", annual: int = 8000) -> bytes:
    from openpyxl import Workbook

    from projects.imports.template import MONTH_LABELS

    headers = ["项目编号", "项目名称", "责任单位", "项目类别", "建设阶段", "区重点（超亿元）", "重大项目（5000万以上）",
               "业主单位", "所在乡镇（街道）", "总投资（万元）", "年度计划投资（万元）", "用地面积（亩）", "建设内容"]  # fmt: skip
    book = Workbook(write_only=True)
    sheet = book.create_sheet("项目台账")
    sheet.append([f"{year}年重大项目台账"])
    sheet.append([*headers, "分月累计计划投资（万元）"])
    sheet.append([None] * len(headers) + MONTH_LABELS)
    for n in range(rows):
        monthly = [round(annual * (i + 2) / 12) for i in range(len(MONTH_LABELS))]
        sheet.append([
            f"B{n:05d}", f"基准项目{n}{suffix}", f"基准单位{n % UNITS:02d}", "产业类", "续建", "是", "是",
            "某建设公司", "海门街道", "20,000", annual, 12.5, "新建厂房及配套设施", *monthly,
        ])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def progress_file(rows: int, base: int = 1000) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("月度进度")
    sheet.append(["项目编号", "项目名称", "月份", "累计完成投资（万元）", "形象进度", "存在问题"])
    for n in range(rows):
        sheet.append([f"B{n:05d}", f"基准项目{n}", "1—2月", f"{base + n % 500:,}", "主体结构施工中", "无"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(kind: str, label: str, plan, data: bytes, user, counter: QueryCounter) -> None:
    from projects.imports import jobs

    batch = jobs.create_batch(kind, plan, f"{label}.xlsx", data, user)
    counter.count = 0
    started = time.perf_counter()
    batch = jobs.analyse_batch(batch.pk)
    analysed = time.perf_counter()
    analyse_queries = counter.count
    if batch.error_count or batch.status != "ready":
        sys.exit(f"{label}: analysis left {batch.error_count} errors ({batch.status} {batch.message}): {batch.errors[:3]}")
    jobs.claim_for_apply(batch, user)
    counter.count = 0
    batch = jobs.apply_batch(batch.pk)
    applied = time.perf_counter()
    if batch.status != "applied":
        sys.exit(f"{label}: apply failed: {batch.message}")
    rows = batch.total_rows
    total = applied - started
    print(
        f"{label:<34} {rows:>6} rows  analyse {analysed - started:6.2f} s ({analyse_queries} statements)  "
        f"apply {applied - analysed:6.2f} s ({counter.count} statements)  total {total:6.2f} s  "
        f"{rows / total:7.0f} rows/s  peak RSS {peak_rss_mb():.0f} MB  [{batch.message}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--year", type=int, default=2020)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    import time_machine

    from projects.models import ImportBatch, Project
    from targets.models import Checkpoint, Department, Plan, ProgressReport

    plan, _ = Plan.objects.get_or_create(
        year=args.year,
        defaults={"title": TITLE, "period_start": dt.date(args.year, 1, 1), "period_end": dt.date(args.year, 12, 31)},
    )
    if plan.title != TITLE:
        sys.exit(f"plan {args.year} exists and is not the benchmark's ({plan.title}); choose another --year")
    ProgressReport.objects.filter(item__plan=plan).delete()
    Checkpoint.objects.filter(item__plan=plan).delete()
    Project.objects.filter(plan=plan).delete()
    ImportBatch.objects.filter(plan=plan).delete()
    for n in range(UNITS):
        Department.objects.get_or_create(name=f"基准单位{n:02d}")
    user, _ = get_user_model().objects.get_or_create(username="import-bench", defaults={"is_superuser": True, "is_staff": True})

    print(f"database {connection.settings_dict['NAME']} ({connection.vendor}), plan {plan.year}, {args.rows} rows per file")
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        run("ledger", "ledger, new projects", plan, ledger_file(args.year, args.rows), user, counter)
        run("ledger", "ledger, every project changed", plan, ledger_file(args.year, args.rows, "（调整）", 9000), user, counter)
        # Reports must not be dated in the future: run as of the day after the plan year.
        with time_machine.travel(dt.datetime(args.year + 1, 1, 15, 12, 0, tzinfo=dt.UTC), tick=True):
            run("progress", "progress, one month per project", plan, progress_file(args.rows), user, counter)
            run("progress", "progress, every report corrected", plan, progress_file(args.rows, 1200), user, counter)


if __name__ == "__main__":
    main()
