"""The supervision run against real services: a Celery worker on Redis, PostgreSQL, concurrency.

- The beat schedule (migration 0006) names the registered task at 07:30 Asia/Shanghai, and a real
  worker (a `celery worker` subprocess on the Redis broker, reading the test database) runs that
  task with the schedule's own arguments; sent again (a redelivery or a retry), it leaves the same
  rows.
- Two runs of the same date at the same time, in two threads or two processes, leave what one run
  leaves, with the per-plan lock and without it: the unique constraints settle it, not a check in
  Python. A failed run leaves nothing.

The worker is a subprocess rather than celery.contrib.testing's in-process worker: it is what beat
and production run (`celery -A config worker`), it reads the settings a deployment reads (broker
from CELERY_BROKER_URL, no eager mode), and it has its own database connection, so it sees only
what the test committed. These tests need PostgreSQL and Redis; they skip without them, and fail
instead when DUBAN_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import translation

from projects import demo
from targets import findings
from targets.engine import supervision
from targets.engine.supervision import supervise
from targets.models import Escalation, Finding, Plan, StatusSnapshot, SupervisionRun, TrackedItem
from targets.tasks import supervise_task
from targets.tests.test_supervise_services import (
    AS_OF,
    BASE_DIR,
    WAIT_SECONDS,
    D,
    Worker,
    beat_entry,
    broker,  # noqa: F401 - fixture
    clear_results,
    register_state,
    row_counts,
    service_env,
    start_worker,
    stop,
    wait_for,
)


def seed_plan(projects: int = 40) -> Plan:
    """A demo register with reports through June 2023: red, yellow and green items, missed milestones."""
    plan, _ = demo.ensure_plan(2023)
    demo.seed_register(plan, projects=projects, seed=1, through=D(2023, 6, 1), batch_size=500, today=D(2024, 3, 1))
    return plan


@pytest.fixture
def worker(require_postgres, broker, transactional_db, tmp_path):  # noqa: F811 - the imported fixture
    """`celery -A config worker --pool solo` on a queue of its own, reading the test database."""
    queue = f"duban-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    worker = Worker(start_worker(queue, log), queue, log)
    try:
        yield worker
    finally:
        stop(worker.process)  # before pytest-django flushes (and at the end drops) the database it reads
        worker.sender.close()
        for key in broker.scan_iter(f"*{queue}*"):  # the queue and kombu's bindings of it
            broker.delete(key)


# --- a real worker ----------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_runs_the_scheduled_task_and_a_redelivery_changes_nothing(worker):
    plan = seed_plan()
    entry = beat_entry()

    worker.send(entry, as_of=AS_OF.isoformat())
    finished = SupervisionRun.objects.filter(plan=plan, as_of=AS_OF, finished_at__isnull=False)
    wait_for(finished.exists, "the run's commit", worker.process, worker.log)

    items = TrackedItem.objects.filter(plan=plan).count()
    first = register_state(plan)
    run = SupervisionRun.objects.get(plan=plan, as_of=AS_OF)
    assert run.items == items == len(first["snapshots"]) == 40
    assert run.opened == len(first["findings"]) > 0  # the register has laggards
    assert len(first["escalations"]) == len(first["findings"])  # each opened with its reminder
    assert sum(run.counts.values()) == items

    # The same task again (a redelivery after a lost ack, or a retry): the same rows.
    worker.send(entry, as_of=AS_OF.isoformat())
    wait_for(
        lambda: SupervisionRun.objects.filter(pk=run.pk, finished_at__gt=run.finished_at).exists(),
        "the second run's commit",
        worker.process,
        worker.log,
    )
    assert register_state(plan) == first

    log = worker.log.read_text(errors="replace")
    assert "Task targets.supervise[" in log  # the worker ran it, not this process
    assert "succeeded" in log


# --- exactly once -----------------------------------------------------------------------------------


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released at the same moment; each thread has its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def target(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported to the test below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run did not finish"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


DATES = [D(2023, 5, 10), AS_OF, D(2023, 7, 31)]  # the second catches up two month ends; the third escalates


def confirm_open(plan: Plan, day: dt.date) -> None:
    """Staff confirm every open finding at 18:00 on the day (the same in every pass)."""
    at = dt.datetime.combine(day, dt.time(18), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for finding in Finding.objects.filter(item__plan=plan, confirmed_at__isnull=True, state="open"):
        findings.confirm(finding, None, at=at)


@pytest.mark.postgres
@pytest.mark.parametrize("locked", [True, False], ids=["with the plan lock", "constraints alone"])
def test_two_runs_at_the_same_time_leave_what_one_run_leaves(require_postgres, transactional_db, monkeypatch, locked):
    plan = seed_plan()
    if not locked:
        # Without the advisory lock the two transactions really interleave; the unique constraints
        # (and ON CONFLICT) still keep one row per key.
        monkeypatch.setattr(supervision, "lock_plan", lambda _plan: None)

    for day in DATES:
        summaries = run_together([lambda day=day: supervise(plan, day), lambda day=day: supervise(plan, day)])
        assert summaries[0].items == summaries[1].items == 40
        confirm_open(plan, day)  # escalation follows confirmation: staff confirm what each day opened
    together = register_state(plan)

    clear_results(plan)
    for day in DATES:
        supervise(plan, day)
        confirm_open(plan, day)
    once = register_state(plan)

    if not locked:
        # Without the lock, the later of two catch-ups may evaluate a month end after the other
        # committed the later dates; its run row then counts findings ready to close as they stood
        # then. The register itself is the same: compare the run rows without that figure.
        for state in (together, once):
            state["runs"] = {as_of: figures[:-1] for as_of, figures in state["runs"].items()}
    assert row_counts(together) == row_counts(once)
    assert together == once
    assert once["events"]
    assert once["findings"]
    assert {level for _key, _opened, level in once["escalations"]} >= {1, 2}


@pytest.mark.postgres
def test_two_processes_at_the_same_time_leave_what_one_run_leaves(require_postgres, transactional_db, tmp_path):
    plan = seed_plan()
    supervise(plan, DATES[0])
    command = [sys.executable, "manage.py", "supervise", "--as-of", AS_OF.isoformat(), "--plan", "2023"]
    processes = [
        subprocess.Popen(command, cwd=BASE_DIR, env=service_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=WAIT_SECONDS)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    # Each prints its summary; the one that waited for the other's lock has no month end to catch up.
    summaries = sorted(line for output in outputs for line in output.splitlines() if line.startswith("plan 2023"))
    assert [line.split(":")[0] for line in summaries] == [
        "plan 2023 evaluated on 2023-05-31, 2023-06-30, 2023-07-10",
        "plan 2023 evaluated on 2023-07-10",
    ], outputs
    together = register_state(plan)

    clear_results(plan)
    supervise(plan, DATES[0])
    supervise(plan, AS_OF)
    assert together == register_state(plan)


@pytest.mark.django_db
def test_a_retried_task_leaves_the_same_rows():
    plan = seed_plan(12)
    supervise_task.apply(kwargs={"as_of": "2023-05-10"})
    supervise_task.apply(kwargs={"as_of": AS_OF.isoformat()})
    first = register_state(plan)

    result = supervise_task.apply(kwargs={"as_of": AS_OF.isoformat()})  # the retry

    assert result.successful()
    assert register_state(plan) == first  # the run's row too: it records the date, not the attempt


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_finding_for_the_same_key():
    plan = seed_plan(3)
    item = TrackedItem.objects.filter(plan=plan).first()
    values = {
        "item": item, "cause": "red", "dedupe_key": Finding.key_for(item.pk, "red"), "opened_on": AS_OF,
        "light_when_found": "red", "deadline": D(2023, 7, 24),
    }  # fmt: skip
    Finding.objects.bulk_create([Finding(**values)])  # bulk_create: no save(), no check in Python

    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.bulk_create([Finding(**values, state="in_progress")])
    # A closed finding does not hold the key: the partial constraint covers open states only.
    Finding.objects.bulk_create([Finding(**values, state="closed", closed_on=AS_OF)])
    assert Finding.objects.filter(dedupe_key=values["dedupe_key"]).count() == 2

    finding = Finding.objects.filter(state="open").get()
    Escalation.objects.create(finding=finding, level=1, date=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.bulk_create([Escalation(finding=finding, level=1, date=D(2023, 7, 11))])
    StatusSnapshot.objects.create(
        item=item, date=AS_OF, status="red", value_status="red", milestone_status="grey", reporting_status="green"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSnapshot.objects.bulk_create(
            [
                StatusSnapshot(
                    item=item, date=AS_OF, status="green", value_status="green", milestone_status="grey", reporting_status="green"
                )
            ]
        )


@pytest.mark.postgres
def test_a_run_that_fails_after_writing_leaves_nothing(require_postgres, transactional_db, monkeypatch):
    plan = seed_plan(12)
    supervise(plan, DATES[0])
    before = register_state(plan)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the run breaks after snapshots, events and findings were written")

    monkeypatch.setattr(findings.upkeep, "escalate", broken)  # maintain() calls it from its own module
    with pytest.raises(RuntimeError):
        supervise(plan, AS_OF)

    assert register_state(plan) == before
    assert not SupervisionRun.objects.filter(as_of=AS_OF).exists()
    assert not StatusSnapshot.objects.filter(date__gt=DATES[0]).exists()


@pytest.mark.django_db
def test_a_run_started_in_english_writes_what_the_scheduled_run_writes():
    # The threads and processes above run in the site's language; staff may start a run from the
    # admin in English. The stored texts must not depend on who started it.
    plan = seed_plan(12)
    with translation.override("en"):
        supervise(plan, AS_OF)
    in_english = register_state(plan)
    clear_results(plan)

    supervise(plan, AS_OF)

    assert in_english == register_state(plan)
    descriptions = list(Finding.objects.values_list("description", flat=True))
    assert descriptions
    assert all("灯色" in text or "节点" in text for text in descriptions)
