"""A task whose worker dies is redelivered and completes once (a real prefork worker on Redis).

The supervision task is held inside the run, waiting on the plan lock this test takes (as a slow run
would be); then its pool child, or the whole worker, is killed with SIGKILL:

- a killed pool child: acks_late + task_reject_on_worker_lost requeue the task at once, the next
  child takes it (before, it was lost for good with WorkerLostError);
- a killed worker: the unacknowledged task goes back to the queue once the broker's visibility
  timeout (just above the task time limit, not Redis' default hour) has passed, and another worker
  runs it.
Either way the run finishes once, with the rows one run leaves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from targets.models import SupervisionRun
from targets.tests.test_supervise_services import (
    AS_OF,
    BASE_DIR,
    BROKER_URL,
    Worker,
    beat_entry,
    broker,  # noqa: F401 - fixture
    database_url,
    register_state,
    service_env,
    stop,
    wait_for,
)

from .test_supervise_services import seed_plan

LOCK = 0x44554241  # targets.engine.supervision.lock_plan's key


def start_prefork_worker(queue: str, log: Path, **env: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
        "-Q", queue, "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=service_env(CELERY_BROKER_URL=BROKER_URL, **env), stdout=out, stderr=subprocess.STDOUT
        )


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def waiting_on_lock(plan_pk: int) -> int:
    """Sessions waiting for the plan's run lock (the task's run, blocked inside supervise)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s AND objid = %s",
            [LOCK, plan_pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def lock_holder(require_postgres):
    other = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False)
    yield other
    other.rollback()
    other.close()


@pytest.fixture
def queue(broker):  # noqa: F811 - the imported fixture
    name = f"duban-test-{uuid.uuid4().hex[:12]}"
    yield name
    for key in broker.scan_iter(f"*{name}*"):
        broker.delete(key)
    for key in broker.scan_iter("unacked*"):
        broker.delete(key)


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_a_killed_pool_child_requeues_its_task_and_it_completes_once(transactional_db, lock_holder, queue, tmp_path):
    plan = seed_plan(projects=10)
    entry = beat_entry()
    lock_holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK, plan.pk])
    log = tmp_path / "worker.log"
    worker = Worker(start_prefork_worker(queue, log), queue, log)
    try:
        worker.send(entry, as_of=AS_OF.isoformat())
        wait_for(lambda: waiting_on_lock(plan.pk) == 1, "the task to wait on the plan lock", worker.process, log)
        (child,) = children(worker.process.pid)
        os.kill(child, signal.SIGKILL)
        # Requeued and taken by the pool's next child. (The killed child's database session may wait
        # on the lock a little longer: PostgreSQL notices a vanished client only when it answers.)
        wait_for(
            lambda: (
                log.read_text(errors="replace").count("Task targets.supervise[") >= 2
                and children(worker.process.pid) not in ([], [child])
            ),
            "the redelivered task",
            worker.process,
            log,
        )
        lock_holder.rollback()
        finished = SupervisionRun.objects.filter(plan=plan, as_of=AS_OF, finished_at__isnull=False)
        wait_for(finished.exists, "the run's commit", worker.process, log)
        state = register_state(plan)
        assert len(state["snapshots"]) == 10
    finally:
        stop(worker.process)
        worker.sender.close()
    text = log.read_text(errors="replace")
    assert "WorkerLostError" in text
    assert text.count("received") == 2, text
    assert text.count("succeeded in") == 1, text


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_a_killed_worker_s_task_comes_back_after_the_visibility_timeout(transactional_db, lock_holder, queue, tmp_path):
    plan = seed_plan(projects=10)
    entry = beat_entry()
    lock_holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK, plan.pk])
    # A 10 s time limit gives a 12 s visibility timeout (settings: the limit plus a tenth, at most 60 s).
    env = {"CELERY_TASK_TIME_LIMIT": "10"}
    log = tmp_path / "worker.log"
    first = Worker(start_prefork_worker(queue, log, **env), queue, log)
    second = None
    try:
        first.send(entry, as_of=AS_OF.isoformat())
        wait_for(lambda: waiting_on_lock(plan.pk) == 1, "the task to wait on the plan lock", first.process, log)
        doomed = [first.process.pid, *children(first.process.pid)]
        for pid in doomed:
            os.kill(pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        lock_holder.rollback()  # the orphaned child's session ends with its process
        second = Worker(start_prefork_worker(queue, log, **env), queue, log)
        finished = SupervisionRun.objects.filter(plan=plan, as_of=AS_OF, finished_at__isnull=False)
        wait_for(finished.exists, "the redelivered run's commit", second.process, log)
    finally:
        for worker in (first, second):
            if worker is not None:
                stop(worker.process)
                worker.sender.close()
    text = log.read_text(errors="replace")
    assert text.count("succeeded in") == 1, text


def test_the_visibility_timeout_is_just_above_the_task_time_limit():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= settings.CELERY_TASK_TIME_LIMIT + 60
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
