"""Shared fixtures: the personas (bureau staff, a unit's user, another unit's user) and services.

Tests that need a real service (PostgreSQL, Redis, a Celery worker, SMTP, Chromium) use the
`require_*` fixtures below: they skip with the reason when the service is absent, and fail instead
when DUBAN_REQUIRE_SERVICES=1 (set by CI), so in CI every such test really runs.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

REQUIRE_SERVICES = os.environ.get("DUBAN_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def service_missing(reason: str) -> None:
    """Skip, or fail in CI, when a service a test needs is absent."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing (DUBAN_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban")


TEST_REDIS_URL = os.environ.get("DUBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def require_redis():
    """A redis-py client on DUBAN_TEST_REDIS_URL (default: database 15 on the local server)."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_missing(f"needs Redis at {TEST_REDIS_URL} (DUBAN_TEST_REDIS_URL): {exc}")
    yield client
    client.close()


class SMTPSink:
    """Messages an aiosmtpd handler received: (envelope sender, recipients, raw bytes)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls it by position
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


class SMTPServer:
    """aiosmtpd on a fixed loopback port that a test can stop (an outage) and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sink = SMTPSink()
        self.messages = self.sink.messages
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # A stopped controller's event loop is closed: every start gets a new one.
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port: .port, .messages, .stop(), .start()."""
    import socket

    try:
        import aiosmtpd.controller  # noqa: F401
    except ImportError as exc:
        service_missing(f"needs aiosmtpd: {exc}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SMTPServer(port)
    try:
        server.start()
    except Exception as exc:
        service_missing(f"cannot start an SMTP server on 127.0.0.1:{port}: {exc}")
    yield server
    server.stop()


CHROMIUM = os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium")
# Headless flags for a machine without a display or outside network (Chromium's background
# requests would otherwise be refused many at a time); --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    """A headless Chromium (Debian's `chromium`, DUBAN_CHROMIUM) driven by Playwright's sync API.

    Playwright's sync API keeps an event loop running in the test's thread, which makes Django
    refuse ORM calls there; the test's own setup and assertions are plain synchronous code.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        service_missing(f"needs the playwright package (requirements-dev.txt): {exc}")
    if not os.path.exists(CHROMIUM):
        service_missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium, or set DUBAN_CHROMIUM)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            service_missing(f"cannot start Chromium at {CHROMIUM}: {exc}")
        yield browser
        browser.close()


@pytest.fixture
def plan(db):
    from targets.models import Plan

    return Plan.objects.create(
        year=2023, title="2023年工作计划", period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31)
    )


@pytest.fixture
def departments(db):
    from targets.models import Department

    return {
        "bureau": Department.objects.create(name="区发展改革局", short_name="发改局", kind="district_department"),
        "alpha": Department.objects.create(name="区市场监督管理局", short_name="市场监管局", kind="district_department"),
        "beta": Department.objects.create(name="区卫生健康局", short_name="卫健局", kind="district_department"),
    }


def make_user(django_user_model, username: str, *, group: str | None, department=None):
    from targets.models import Person

    user = django_user_model.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if department is not None:
        Person.objects.create(name=username, department=department, user=user, email=f"{username}@example.com")
    return user


@pytest.fixture
def staff_user(db, django_user_model):
    return make_user(django_user_model, "staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)


@pytest.fixture
def unit_user(db, django_user_model, departments):
    """A reporter of 区市场监督管理局 (departments['alpha'])."""
    return make_user(django_user_model, "alpha", group=settings.DUBAN_UNIT_REPORTER_GROUP, department=departments["alpha"])


@pytest.fixture
def other_unit_user(db, django_user_model, departments):
    """A reporter of 区卫生健康局 (departments['beta'])."""
    return make_user(django_user_model, "beta", group=settings.DUBAN_UNIT_REPORTER_GROUP, department=departments["beta"])


@pytest.fixture
def api(db):
    """A factory of REST API clients: api(user) logs in with a fresh token, api() is anonymous.

    api(user, read_only=True) uses a read-only token. Clears the cache, so throttling starts afresh.
    """
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from targets.models import ApiToken

    cache.clear()

    def make(user=None, *, read_only: bool = False) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = ApiToken.issue(user, name="test", read_only=read_only)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
