"""The supervision run's services: the beat schedule, and what the tests of a real worker share.

The beat schedule (migration 0006) names the registered task at 07:30 Asia/Shanghai. The helpers below
start a real worker (a `celery worker` subprocess on the Redis broker, reading the test database) and
read every row a run leaves; the tests that run it over the demo register (a redelivery, two runs at
once, a failed run) are in projects/tests/test_supervise_services.py, those that kill it in
projects/tests/test_worker_loss.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.apps import apps
from django.conf import settings
from django.db import connection
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from conftest import service_missing
from targets.engine import supervision
from targets.models import Escalation, Finding, Plan, StatusEvent, StatusSnapshot, SupervisionRun
from targets.tasks import supervise_task

BASE_DIR = Path(settings.BASE_DIR)
BROKER_URL = os.environ.get("DUBAN_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
SCHEDULE = importlib.import_module("targets.migrations.0006_daily_supervision_schedule")
D = dt.date
AS_OF = D(2023, 7, 10)
WAIT_SECONDS = 90  # worker start (Django setup) plus the run; generous for a loaded CI machine


# --- what a run leaves -------------------------------------------------------------------------


FINDING_FIELDS = (
    "dedupe_key", "opened_on", "state", "level", "light_when_found", "expected", "actual", "gap", "days_overdue",
    "description", "problems", "department_id", "contact_id", "responsible_leader_id", "deadline", "ready_to_close",
    "previous__dedupe_key",
)  # fmt: skip


def register_state(plan: Plan) -> dict:
    """Every row the runs wrote, keyed by natural keys (ids and timestamps differ between runs)."""
    return {
        "snapshots": {
            (item_id, date): rest
            for item_id, date, *rest in StatusSnapshot.objects.filter(item__plan=plan).values_list(
                "item_id", "date", *supervision.SNAPSHOT_FIELDS
            )
        },
        "events": {
            (item_id, date): rest
            for item_id, date, *rest in StatusEvent.objects.filter(item__plan=plan).values_list(
                "item_id", "date", "old_status", "new_status", "reasons"
            )
        },
        "findings": {
            (key, opened_on): rest
            for key, opened_on, *rest in Finding.objects.filter(item__plan=plan).values_list(*FINDING_FIELDS)
        },
        "cooperating": sorted(
            Finding.cooperating_departments.through.objects.filter(finding__item__plan=plan).values_list(
                "finding__dedupe_key", "finding__opened_on", "department_id"
            )
        ),
        "escalations": {
            (key, opened_on, level): rest
            for key, opened_on, level, *rest in Escalation.objects.filter(finding__item__plan=plan).values_list(
                "finding__dedupe_key", "finding__opened_on", "level", "date", "reason", "recipients"
            )
        },
        "runs": {
            as_of: rest
            for as_of, *rest in SupervisionRun.objects.filter(plan=plan).values_list(
                "as_of", "items", "counts", "opened", "escalated", "ready_to_close"
            )
        },
    }


def row_counts(state: dict) -> dict[str, int]:
    return {name: len(rows) for name, rows in state.items()}


def clear_results(plan: Plan) -> None:
    Escalation.objects.filter(finding__item__plan=plan).delete()
    Finding.objects.filter(item__plan=plan).delete()
    StatusEvent.objects.filter(item__plan=plan).delete()
    StatusSnapshot.objects.filter(item__plan=plan).delete()
    SupervisionRun.objects.filter(plan=plan).delete()


# --- services ---------------------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this test uses (pytest-django's test database), for a subprocess."""
    db = connection.settings_dict
    user, password = quote(db["USER"] or "", safe=""), quote(str(db["PASSWORD"] or ""), safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}{quote(db['HOST'] or '', safe='')}{port}/{quote(db['NAME'], safe='')}"


def service_env(**extra: str) -> dict[str, str]:
    """The environment of a deployed process, pointed at the test database."""
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "REDIS_URL", "CELERY_RESULT_BACKEND"}}
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        DUBAN_ENV_FILE="",  # a developer's .env must not redirect the subprocess
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen, log: Path) -> None:
    """Poll (every 0.1 s, at most WAIT_SECONDS) until condition() holds; fail early if the process died."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) before {what}:\n{tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT_SECONDS}s waiting for {what}:\n{tail(log)}")
        time.sleep(0.1)


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no output)"


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def start_worker(queue: str, log: Path, **env: str) -> subprocess.Popen:
    """`celery -A config worker --pool solo` as deployed, on a queue of its own, logging to `log`."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
        "-Q", queue, "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=service_env(CELERY_BROKER_URL=BROKER_URL, **env), stdout=out, stderr=subprocess.STDOUT
        )


class Worker:
    def __init__(self, process: subprocess.Popen, queue: str, log: Path) -> None:
        self.process, self.queue, self.log = process, queue, log
        self.sender = Celery("duban-test-sender", broker=BROKER_URL, set_as_current=False)

    def send(self, entry: ModelEntry, **kwargs) -> None:
        """Send the entry's task as beat does (its args, kwargs and options), on this worker's queue."""
        options = {**entry.options, "queue": self.queue}
        self.sender.send_task(entry.task, args=entry.args, kwargs={**entry.kwargs, **kwargs}, **options)


@pytest.fixture
def broker(require_redis):
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_missing(f"needs the Celery test broker at {BROKER_URL} (DUBAN_TEST_BROKER_URL): {exc}")
    yield client
    client.close()


def beat_entry() -> ModelEntry:
    """The daily run as beat's DatabaseScheduler sees it.

    A transactional test's flush empties every table, rows of data migrations included, so the
    migration's own function puts the schedule back (it is idempotent) before it is read.
    """
    SCHEDULE.add_schedule(apps, None)
    return ModelEntry(PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME), app=supervise_task.app)


# --- the schedule -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_schedules_the_registered_task_daily_at_0730_shanghai_time(time_machine):
    task = PeriodicTask.objects.get(name=SCHEDULE.TASK_NAME)  # created by migration 0006

    assert task.enabled
    assert task.task == supervise_task.name == "targets.supervise"
    assert task.task in supervise_task.app.tasks  # registered with the app the worker loads
    assert (json.loads(task.args or "[]"), json.loads(task.kwargs or "{}")) == ([], {})  # the run takes today
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year, cron.day_of_week) == ("30", "7", "*", "*", "*")
    assert str(cron.timezone) == "Asia/Shanghai"

    # Beat's view of it: due at 07:30 in Shanghai (23:30 UTC the day before), not a minute earlier.
    schedule = ModelEntry(task, app=supervise_task.app).schedule
    shanghai = dt.timezone(dt.timedelta(hours=8))
    last_run = dt.datetime(2023, 7, 10, 7, 30, tzinfo=shanghai)
    time_machine.move_to(dt.datetime(2023, 7, 11, 7, 29, tzinfo=shanghai), tick=False)
    assert not schedule.is_due(last_run).is_due
    time_machine.move_to(dt.datetime(2023, 7, 11, 7, 30, 1, tzinfo=shanghai), tick=False)
    assert schedule.is_due(last_run).is_due
