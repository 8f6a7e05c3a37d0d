"""A hung supervision run must not block every later one: the second waits at most
DUBAN_SUPERVISE_LOCK_TIMEOUT, then gives up with "another run in progress" (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from targets.engine import supervision
from targets.models import SupervisionRun
from targets.tasks import supervise_task
from targets.tests.test_supervise_services import BASE_DIR, database_url, service_env

AS_OF = dt.date(2023, 7, 10)


@pytest.fixture
def hung_run(require_postgres, plan):
    """Another session holding the plan's run lock, as a run stuck mid-transaction does."""
    other = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False)
    other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x44554241, plan.pk])
    yield other
    other.rollback()
    other.close()


@pytest.mark.postgres
def test_a_second_run_gives_up_after_the_lock_timeout(hung_run, plan, settings):
    settings.DUBAN_SUPERVISE_LOCK_TIMEOUT = 0.2
    with pytest.raises(supervision.RunInProgress, match="another run in progress"):
        supervision.supervise(plan, AS_OF)
    assert not SupervisionRun.objects.exists()
    # The task logs and returns instead of failing (the run holding the lock writes the same rows).
    assert supervise_task.delay(AS_OF.isoformat(), 2023).get() == ["another run in progress for plan 2023"]


@pytest.mark.postgres
def test_the_timeout_does_not_outlive_the_lock(require_postgres, plan, settings):
    settings.DUBAN_SUPERVISE_LOCK_TIMEOUT = 0.2
    summary = supervision.supervise(plan, AS_OF)
    assert summary.dates == [AS_OF]
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgres
def test_the_command_exits_non_zero_with_another_run_in_progress(require_postgres, transactional_db, plan):
    other = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False)
    try:
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x44554241, plan.pk])
        result = subprocess.run(
            [sys.executable, "manage.py", "supervise", "--as-of", AS_OF.isoformat(), "--plan", "2023"],
            cwd=BASE_DIR,
            env=service_env(DUBAN_SUPERVISE_LOCK_TIMEOUT="1"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        other.rollback()
        other.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "another run in progress for plan 2023" in result.stderr
    assert not SupervisionRun.objects.exists()


def test_the_default_wait_is_bounded():
    assert 0 < settings.DUBAN_SUPERVISE_LOCK_TIMEOUT <= 3600
