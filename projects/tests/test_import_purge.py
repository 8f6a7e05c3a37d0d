"""manage.py purge_imports: old uploads lose their bytes, nothing else; unconfirmed ones are closed."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from projects.models import ImportBatch

NOW = dt.datetime(2023, 12, 1, 9, 0, tzinfo=dt.UTC)


def batch(plan, user, status: str, days_old: int) -> ImportBatch:
    with time_machine.travel(NOW - dt.timedelta(days=days_old), tick=False):
        return ImportBatch.objects.create(
            kind="ledger", plan=plan, file_name=f"{status}-{days_old}.xlsx", data=b"PK-bytes", user=user, status=status,
            preview={"rows": [{"row": 3}]}, errors=[{"row": 3, "column": "项目编号", "message": "x"}],
        )  # fmt: skip


def test_it_drops_old_files_keeps_recent_ones_and_closes_unconfirmed_batches(plan, staff_user):
    applied_old, failed_old = batch(plan, staff_user, "applied", 120), batch(plan, staff_user, "failed", 95)
    ready_old, applied_new = batch(plan, staff_user, "ready", 100), batch(plan, staff_user, "applied", 10)
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("purge_imports", "--days", "90", stdout=out)
        call_command("purge_imports", "--days", "90", stdout=io.StringIO())  # again: nothing more to do

    for row in (applied_old, failed_old, ready_old, applied_new):
        row.refresh_from_db()
    assert [bytes(r.data) for r in (applied_old, failed_old, ready_old)] == [b"", b"", b""]
    assert bytes(applied_new.data) == b"PK-bytes"
    assert ready_old.status == "failed"
    assert applied_old.status == "applied"
    assert applied_old.preview == {"rows": [{"row": 3}]}
    assert applied_old.errors[0]["column"] == "项目编号"
    assert "3 imports" in out.getvalue()


def test_beat_runs_the_purge_monthly_through_a_registered_task(plan, staff_user):
    from django_celery_beat.models import PeriodicTask

    from config.celery_app import app
    from projects.tasks import purge_imports_task

    old = batch(plan, staff_user, "applied", 120)
    task = PeriodicTask.objects.get(task="projects.purge_imports")  # created by migration 0008
    with time_machine.travel(NOW, tick=False):
        purged = purge_imports_task.delay().get()

    old.refresh_from_db()
    assert (task.crontab.day_of_month, task.crontab.hour, str(task.crontab.timezone)) == ("1", "3", "Asia/Shanghai")
    assert task.enabled
    assert "projects.purge_imports" in app.tasks
    assert purged == 1
    assert bytes(old.data) == b""
