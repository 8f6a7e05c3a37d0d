"""An import through a real Celery worker on Redis and PostgreSQL, as deployed: the admin page's
status endpoint reads the worker's progress from the Redis cache while the apply runs.

Needs PostgreSQL (DATABASE_URL) and Redis (DUBAN_TEST_REDIS_URL for the cache,
DUBAN_TEST_BROKER_URL for the broker); skips without them, fails instead when
DUBAN_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from celery import Celery
from django.db import connection, transaction
from django.urls import reverse

from conftest import TEST_REDIS_URL, service_missing
from projects.imports import jobs
from projects.models import ImportBatch, Project
from targets.tests.test_supervise_services import BROKER_URL, start_worker, stop, tail

from .factories import ProjectFactory
from .xlsx import workbook as make_workbook

ROWS = 2000
WAIT_SECONDS = 120


@pytest.fixture
def import_worker(require_postgres, require_redis, transactional_db, tmp_path, settings):
    """`celery -A config worker` on a queue of its own, with the Redis cache (REDIS_URL) the page reads."""
    import redis

    broker = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        broker.ping()
    except redis.RedisError as exc:
        broker.close()
        service_missing(f"needs the Celery test broker at {BROKER_URL} (DUBAN_TEST_BROKER_URL): {exc}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": TEST_REDIS_URL}}
    queue = f"duban-test-import-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    process = start_worker(queue, log, REDIS_URL=TEST_REDIS_URL)
    sender = Celery("duban-test-import-sender", broker=BROKER_URL, set_as_current=False)

    def send(task: str, batch_id: int) -> None:
        sender.send_task(task, args=[batch_id], queue=queue)

    try:
        yield send, process, log
    finally:
        stop(process)
        sender.close()
        for key in broker.scan_iter(f"*{queue}*"):
            broker.delete(key)
        broker.close()


def poll(client, batch: ImportBatch, process, log, seen: list[dict]) -> dict:
    """The page's polling: the status endpoint until the batch has finished its step."""
    url = reverse("admin:projects_project_import_status", args=[batch.pk])
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        state = client.get(url).json()
        seen.append(state)
        if state["finished"] and state["status"] != "applying":
            return state
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n{tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for the import:\n{tail(log)}")
        time.sleep(0.05)


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_analyses_and_applies_an_import_and_the_page_sees_its_progress(
    import_worker, client, staff_user, plan, departments
):
    send, process, log = import_worker
    rows = [["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"]]
    rows += [[f"P{n:04d}", f"项目{n}", "区市场监督管理局", 20000, 8000] for n in range(ROWS)]
    batch = jobs.create_batch("ledger", plan, "台账.xlsx", make_workbook(rows, title="2023年重大项目台账"), staff_user)
    client.force_login(staff_user)
    try:
        send("projects.analyse_import", batch.pk)
        assert poll(client, batch, process, log, [])["status"] == "ready"
        batch.refresh_from_db()
        assert (batch.new_rows, batch.error_count) == (ROWS, 0)

        assert jobs.claim_for_apply(batch, staff_user)
        seen: list[dict] = []
        send("projects.apply_import", batch.pk)
        final = poll(client, batch, process, log, seen)
        send("projects.apply_import", batch.pk)  # a redelivery: nothing more is written

        assert (final["status"], final["percent"], final["done"]) == ("applied", 100, ROWS)
        # While it ran, the page saw the worker's counters (rows checked, then written) from the Redis cache.
        assert any(s["status"] == "applying" and s["total"] == ROWS and s["phase"] in {"checking", "applying"} for s in seen), (
            seen
        )
        done = [s["done"] for s in seen if s["phase"] == "applying"]
        assert done == sorted(done)
        assert Project.objects.filter(plan=plan).count() == ROWS
        assert set(Project.history.values_list("history_user", "history_change_reason")) == {
            (staff_user.pk, "Excel导入：台账.xlsx")
        }
        deadline = time.monotonic() + 30
        while log.read_text(errors="replace").count("Task projects.apply_import[") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Project.history.count() == ROWS
        assert "Task projects.apply_import[" in log.read_text(errors="replace")  # the worker ran it, not this process
    finally:
        from django.core.cache import cache

        cache.delete(jobs.progress_key(batch.pk))


@pytest.mark.postgres
def test_an_edit_committed_while_the_apply_waits_is_seen_and_fails_the_batch_instead_of_being_lost(
    require_postgres, transactional_db, staff_user, plan, departments
):
    ProjectFactory(plan=plan, code="P01", title="椒江大桥", lead_department=departments["alpha"])
    rows = [["项目编号", "项目名称", "责任单位"], ["P01", "椒江大桥（新）", "区市场监督管理局"]]
    batch = jobs.analyse_batch(jobs.create_batch("ledger", plan, "台账.xlsx", make_workbook(rows), staff_user).pk)
    assert (batch.status, batch.changed_rows) == ("ready", 1)
    assert jobs.claim_for_apply(batch, staff_user)
    outcome: dict = {}

    def apply_in_another_connection() -> None:
        try:
            outcome["status"] = jobs.apply_batch(batch.pk).status
        finally:
            connection.close()

    worker = threading.Thread(target=apply_in_another_connection)
    with transaction.atomic():
        Project.objects.filter(code="P01").update(title="椒江大桥（改）")  # an admin's save, not committed yet
        worker.start()
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while True:  # until the apply waits for this transaction's row lock
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0] or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
    worker.join(30)

    batch.refresh_from_db()
    assert outcome["status"] == batch.status == "failed"
    assert "（P01）" in batch.message
    assert Project.objects.get(code="P01").title == "椒江大桥（改）"
