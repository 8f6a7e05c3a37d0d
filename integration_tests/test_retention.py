"""Retention: daily snapshots thinned to month ends and each item's latest, audit history and the
delivery ledger dropped after their settings, expired sessions cleared, all on a daily schedule."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import Delivery, DeliveryKind, DeliveryStatus
from notifications.retention import apply_retention
from notifications.tasks import apply_retention_task, retry_digests_task
from targets import retention
from targets.models import Department, StatusSnapshot
from targets.tests.factories import TargetFactory

D = dt.date
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SCHEDULES = importlib.import_module("notifications.migrations.0007_resilience_schedules")


def snapshots(item, days: list[dt.date]) -> None:
    StatusSnapshot.objects.bulk_create(
        StatusSnapshot(
            item=item, date=day, status="green", value_status="green", milestone_status="grey", reporting_status="green"
        )
        for day in days
    )


def daily(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.mark.django_db
def test_old_daily_snapshots_are_thinned_to_month_ends_and_each_items_latest(plan):
    active, finished = TargetFactory(plan=plan, code="G1"), TargetFactory(plan=plan, code="G2")
    snapshots(active, daily(D(2023, 5, 28), D(2023, 8, 3)))
    snapshots(finished, daily(D(2023, 5, 28), D(2023, 6, 12)))  # evaluated no more after 12 June

    deleted = retention.thin_snapshots(D(2023, 8, 3), keep_days=35)  # cutoff: 29 June

    kept = {code: sorted(StatusSnapshot.objects.filter(item__code=code).values_list("date", flat=True)) for code in ("G1", "G2")}
    assert kept["G1"] == [D(2023, 5, 31), *daily(D(2023, 6, 29), D(2023, 8, 3))]
    assert kept["G2"] == [D(2023, 5, 31), D(2023, 6, 12)]  # its month end and its last word
    assert deleted == (3 + 28) + (3 + 11)  # G1: 28-30 May, 1-28 June; G2: 28-30 May, 1-11 June
    assert retention.thin_snapshots(D(2023, 8, 3), keep_days=35) == 0  # idempotent


@pytest.mark.django_db
def test_history_older_than_the_setting_is_removed_and_zero_keeps_it(time_machine):
    time_machine.move_to(dt.datetime(2023, 1, 10, 9, tzinfo=SHANGHAI), tick=False)
    old = Department.objects.create(name="区发展改革局", short_name="发改局")
    time_machine.move_to(dt.datetime(2023, 9, 10, 9, tzinfo=SHANGHAI), tick=False)
    old.short_name = "发改"
    old.save()
    assert old.history.count() == 2

    assert retention.purge_history(timezone.now(), keep_days=0) == {}
    assert old.history.count() == 2
    removed = retention.purge_history(timezone.now(), keep_days=180)
    assert removed == {"targets_historicaldepartment": 1}
    assert list(old.history.values_list("short_name", flat=True)) == ["发改"]


@pytest.mark.django_db
def test_the_daily_job_applies_every_setting_and_clears_expired_sessions(settings, plan, time_machine):
    settings.DUBAN_SNAPSHOT_DAILY_DAYS = 35
    settings.DUBAN_DELIVERY_RETENTION_DAYS = 180
    settings.DUBAN_HISTORY_RETENTION_DAYS = 0
    now = dt.datetime(2023, 8, 3, 3, 15, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)
    item = TargetFactory(plan=plan)
    snapshots(item, daily(D(2023, 6, 1), D(2023, 8, 3)))
    Delivery.objects.create(
        kind=DeliveryKind.DIGEST_UNIT, key="old", status=DeliveryStatus.SENT, created_at=now - dt.timedelta(days=181)
    )
    Delivery.objects.create(
        kind=DeliveryKind.DIGEST_UNIT, key="new", status=DeliveryStatus.SENT, created_at=now - dt.timedelta(days=179)
    )
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - dt.timedelta(minutes=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + dt.timedelta(minutes=30))

    summary = apply_retention()

    assert summary.snapshots == 28  # 1-28 June: the cutoff is 29 June
    assert list(Delivery.objects.values_list("key", flat=True)) == ["new"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    call_command("apply_retention")  # again: nothing more to do
    assert apply_retention_task.delay().get().startswith("retention: 0 daily snapshots thinned, 0 delivery")


@pytest.mark.django_db
def test_the_schedules_are_rows_of_the_database_scheduler():
    by_task = {t.task: t for t in PeriodicTask.objects.filter(name__in=[SCHEDULES.RETRY_NAME, SCHEDULES.RETENTION_NAME])}
    assert set(by_task) == {retry_digests_task.name, apply_retention_task.name}
    for task, (minute, hour) in {retry_digests_task.name: ("30", "9"), apply_retention_task.name: ("15", "3")}.items():
        entry = by_task[task]
        assert entry.enabled
        assert task in retry_digests_task.app.tasks
        assert (json.loads(entry.args or "[]"), json.loads(entry.kwargs or "{}")) == ([], {})
        cron = entry.crontab
        assert (cron.minute, cron.hour, cron.day_of_week, str(cron.timezone)) == (minute, hour, "*", "Asia/Shanghai")
