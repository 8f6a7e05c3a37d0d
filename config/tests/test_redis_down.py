"""Redis down (a closed loopback port): the API and the admin keep serving reads and report
submission, the cache and the throttle degrade with a log line, an import that cannot be queued is
marked at once and can be tried again, and what truly needs Redis answers a JSON 503."""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from config import cache as degrading
from config.celery_app import app as celery_app
from projects.imports import jobs
from projects.models import ImportBatch
from projects.tests.xlsx import workbook
from targets.api.errors import exception_handler
from targets.models import ProgressReport
from targets.tests.factories import TargetFactory


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def redis_down(settings):
    """The cache on a Redis that refuses connections, as production's REDIS_URL would be."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    degrading.DegradingRedisCache._last_warning = 0.0
    return url


@pytest.fixture
def broker_down(redis_down, settings):
    """Celery not eager, its broker the same refusing Redis; the app's settings restored after."""
    keys = ("task_always_eager", "broker_url", "broker_connection_timeout", "task_publish_retry")
    saved = {key: celery_app.conf[key] for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(task_always_eager=False, broker_url=redis_down, broker_connection_timeout=1, task_publish_retry=False)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    # monkeypatch.setitem cannot restore Celery's layered settings: later eager tasks returned None.
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def goal(plan, departments):
    return TargetFactory(plan=plan, lead_department=departments["alpha"])


def test_the_api_reads_and_takes_reports_with_a_log_line(redis_down, api, unit_user, goal, caplog, time_machine):
    time_machine.move_to(dt.datetime(2023, 7, 10, 1, 0, tzinfo=dt.UTC), tick=False)
    client = api(unit_user)
    degrading.DegradingRedisCache._last_warning = 0.0  # api() cleared the cache: warned already
    with caplog.at_level(logging.WARNING, logger="duban.cache"):
        listing = client.get("/api/v1/targets/")
        detail = client.get(f"/api/v1/targets/{goal.pk}/")
        created = client.post(
            "/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-06-30", "value": "10"}, format="json"
        )
    assert (listing.status_code, detail.status_code, created.status_code) == (200, 200, 201), created.content
    assert listing.json()["results"][0]["code"] == goal.code
    assert ProgressReport.objects.filter(item=goal).count() == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "duban.cache"]
    assert len(warnings) == 1  # once a minute per process, not once per request
    assert "cache unavailable" in warnings[0]
    assert "ConnectionError" in warnings[0]


def test_the_admin_serves_pages_and_import_progress(redis_down, client, staff_user, plan, departments):
    client.force_login(staff_user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:targets_target_changelist")).status_code == 200
    batch = jobs.create_batch("ledger", plan, "台账.xlsx", b"not read", staff_user)
    status = client.get(reverse("admin:projects_project_import_status", args=[batch.pk]))
    assert status.status_code == 200
    assert status.json()["status"] == "uploaded"


LEDGER = [
    ["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"],
    ["P01", "椒江大桥", "区市场监督管理局", 20000, 8000],
]


def test_an_upload_that_cannot_be_queued_fails_at_once_with_a_message(
    broker_down, client, staff_user, plan, departments, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:projects_project_import_ledger"),
            {"plan": plan.pk, "file": SimpleUploadedFile("台账.xlsx", workbook(LEDGER))},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.status == "failed"
    assert "任务队列" in batch.message
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "任务队列" in page.content.decode()


def test_a_confirm_that_cannot_be_queued_goes_back_to_ready_to_be_confirmed_again(
    broker_down, client, staff_user, plan, departments, django_capture_on_commit_callbacks, settings
):
    # Analysed while the queue worked (eagerly), then confirmed while it is down.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    batch = jobs.analyse_batch(jobs.create_batch("ledger", plan, "台账.xlsx", workbook(LEDGER), staff_user).pk)
    assert batch.status == "ready"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(staff_user)
    apply_url = reverse("admin:projects_project_import_apply", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(apply_url).status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.applied_by, batch.claimed_at) == ("ready", None, None)
    assert batch.message
    assert batch.can_apply

    # The queue is back: the same batch is confirmed again and applied.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    assert client.post(apply_url).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_what_truly_needs_redis_answers_a_json_503():
    response = exception_handler(RedisConnectionError("Error 111 connecting to 127.0.0.1:6390."), {})
    assert response.status_code == 503
    assert response.data["code"] == "service_unavailable"
    assert response.data["detail"]
    assert response["Retry-After"] == "60"
