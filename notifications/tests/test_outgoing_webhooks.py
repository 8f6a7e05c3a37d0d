"""Outgoing webhooks against a local HTTP server that verifies the HMAC-SHA256 signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from notifications.models import Delivery, DeliveryKind, DeliveryStatus, WebhookDelivery, WebhookSubscriber
from notifications.outgoing import dispatch_webhooks
from targets.choices import FindingCause
from targets.findings import close_out
from targets.models import Escalation, Finding, ProgressReport, StatusEvent
from targets.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cret-钥匙"
D = dt.date


class Receiver:
    """A subscriber's endpoint: checks the signature with its own secret, records what it accepted."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.received: list[dict] = []  # {"headers", "body", "json", "valid"}
        self.codes: list[int] = []  # answers to give first (then 200)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(self.headers.get("X-Duban-Signature", ""), expected)
                code = receiver.codes.pop(0) if receiver.codes else 200
                if not valid:
                    code = 401
                receiver.received.append(
                    {"headers": dict(self.headers), "body": raw, "json": json.loads(raw), "valid": valid, "code": code}
                )
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.received if r["valid"] and 200 <= r["code"] < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def subscriber(receiver, fast_retries):
    return WebhookSubscriber.objects.create(name="大数据中心", url=receiver.url, secret=SECRET)


def make_events(time_machine):
    """One event of each kind, a minute after the subscriber was created."""
    time_machine.shift(dt.timedelta(minutes=1))
    item = TargetFactory(code="G01", title="规上工业增加值增长")
    status = StatusEvent.objects.create(
        item=item, date=D(2024, 2, 29), old_status="green", new_status="red", reasons=["进度滞后"]
    )
    finding = Finding.objects.create(
        item=item, cause=FindingCause.RED, opened_on=D(2024, 2, 29), light_when_found="red", deadline=D(2024, 3, 31)
    )
    escalation = Escalation.objects.create(finding=finding, level=2, date=D(2024, 3, 1), reason="逾期未整改")
    report = ProgressReport.objects.create(item=item, as_of=D(2024, 2, 29), value=Decimal("42.5"), narrative="稳步推进")
    return item, status, finding, escalation, report


def test_each_event_is_posted_once_signed_with_its_payload(subscriber, receiver, time_machine, staff):
    item, status, finding, escalation, report = make_events(time_machine)
    close_out(finding, staff, "已现场核实")

    summary = dispatch_webhooks()

    assert (summary.sent, summary.failed) == (5, 0)
    assert all(r["valid"] for r in receiver.received)
    by_type = {r["json"]["type"]: r for r in receiver.received}
    assert sorted(by_type) == ["finding_closed", "finding_escalated", "finding_opened", "report_submitted", "status_changed"]
    changed = by_type["status_changed"]
    assert changed["headers"]["X-Duban-Event"] == "status_changed"
    assert changed["headers"]["X-Duban-Event-Id"] == changed["json"]["id"]
    assert changed["json"]["data"] == {
        "item": {"id": item.pk, "code": "G01", "title": "规上工业增加值增长"},
        "date": "2024-02-29",
        "old_status": "green",
        "new_status": "red",
        "reasons": ["进度滞后"],
    }
    # UTF-8 without \u escapes.
    assert "规上工业增加值增长".encode() in changed["body"]
    assert by_type["finding_opened"]["json"]["data"]["id"] == finding.pk
    assert by_type["finding_escalated"]["json"]["data"]["level"] == 2
    assert by_type["finding_escalated"]["json"]["data"]["reason"] == "逾期未整改"
    assert by_type["finding_closed"]["json"]["data"]["closed_on"] == "2024-03-01"
    assert by_type["report_submitted"]["json"]["data"]["value"] == "42.500"  # three decimals (issue 10)
    assert by_type["report_submitted"]["json"]["occurred_at"] == report.submitted_at.isoformat()
    rows = WebhookDelivery.objects.all()
    assert {r.key for r in rows} == {
        f"status:{status.pk}",
        f"finding_opened:{finding.pk}",
        f"finding_escalated:{escalation.pk}",
        f"finding_closed:{finding.pk}",
        f"report:{report.pk}:{report.submitted_at.isoformat()}",
    }
    assert {(r.status, r.status_code, r.attempts) for r in rows} == {(DeliveryStatus.SENT, 200, 1)}
    assert all(r.duration_ms is not None for r in rows)

    again = dispatch_webhooks()

    assert (again.queued, again.sent) == (0, 0)
    assert len(receiver.received) == 5


def test_events_before_the_subscriber_existed_and_unchosen_types_are_not_sent(receiver, fast_retries, time_machine):
    TargetFactory()
    StatusEvent.objects.create(item=TargetFactory(), date=D(2024, 2, 29), old_status="green", new_status="red")
    time_machine.shift(dt.timedelta(minutes=1))
    WebhookSubscriber.objects.create(name="只要报送", url=receiver.url, secret=SECRET, events=["report_submitted"])
    time_machine.shift(dt.timedelta(minutes=1))
    item = TargetFactory()
    StatusEvent.objects.create(item=item, date=D(2024, 3, 1), old_status="green", new_status="yellow")
    ProgressReport.objects.create(item=item, as_of=D(2024, 2, 29), value=Decimal("1"))

    dispatch_webhooks()

    assert [r["json"]["type"] for r in receiver.received] == ["report_submitted"]


def test_a_500_is_retried_with_backoff_and_delivered_once(subscriber, receiver, time_machine):
    make_events(time_machine)
    receiver.codes = [500]

    summary = dispatch_webhooks()

    assert (summary.sent, summary.failed) == (4, 0)
    assert len(receiver.received) == 5
    assert len(receiver.accepted) == 4
    first = WebhookDelivery.objects.get(key__startswith="status:")
    assert (first.status, first.attempts, first.status_code) == (DeliveryStatus.SENT, 2, 200)
    assert len({r["json"]["id"] for r in receiver.received}) == 4  # the retry repeats the event id


def test_a_failed_delivery_is_recorded_and_retried_by_the_next_run(subscriber, receiver, time_machine):
    make_events(time_machine)
    receiver.codes = [503, 503, 503]  # one whole delivery (3 attempts) fails

    summary = dispatch_webhooks()

    assert (summary.sent, summary.failed) == (3, 1)
    failed = WebhookDelivery.objects.get(status=DeliveryStatus.FAILED)
    assert (failed.status_code, failed.attempts) == (503, 3)
    assert "HTTP 503" in failed.last_error
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0  # the deliveries after it succeeded

    dispatch_webhooks()

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.status_code) == (DeliveryStatus.SENT, 4, 200)
    assert len(receiver.accepted) == 4


def test_a_wrong_secret_is_refused_by_the_receiver_and_recorded(receiver, fast_retries, time_machine):
    sub = WebhookSubscriber.objects.create(name="错的密钥", url=receiver.url, secret="not-the-secret")
    make_events(time_machine)

    summary = dispatch_webhooks()

    assert (summary.sent, summary.failed) == (0, 4)
    assert not any(r["valid"] for r in receiver.received)
    assert set(WebhookDelivery.objects.values_list("status", "status_code")) == {(DeliveryStatus.FAILED, 401)}
    sub.refresh_from_db()
    assert (sub.active, sub.consecutive_failures) == (True, 4)


def test_repeated_failures_switch_the_subscriber_off_and_tell_staff_once(receiver, fast_retries, time_machine, staff, settings):
    settings.DUBAN_WEBHOOK_DISABLE_AFTER = 3
    sub = WebhookSubscriber.objects.create(name="停用测试", url=receiver.url, secret="wrong")
    make_events(time_machine)

    summary = dispatch_webhooks()

    assert summary.failed == 3
    assert summary.disabled == ["停用测试"]
    assert len(receiver.received) == 9  # 3 deliveries × 3 attempts; the fourth is not tried
    sub.refresh_from_db()
    assert not sub.active
    assert sub.disabled_at is not None
    assert "3 failed deliveries in a row" in sub.disabled_reason
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@example.com"]
    assert "停用测试" in mail.outbox[0].subject
    notice = Delivery.objects.get(kind=DeliveryKind.WEBHOOK_DISABLED)
    assert notice.status == DeliveryStatus.SENT

    dispatch_webhooks()

    assert len(receiver.received) == 9
    assert len(mail.outbox) == 1


def test_the_command_and_the_beat_schedule(subscriber, receiver, time_machine, capsys):
    make_events(time_machine)

    call_command("send_webhooks")

    assert "sent 4" in capsys.readouterr().out
    task = PeriodicTask.objects.get(task="notifications.send_webhooks")
    assert (task.interval.every, task.interval.period, task.enabled) == (5, "minutes", True)


def test_the_admin_hides_the_secret_and_lists_status_codes(client, subscriber, receiver, time_machine, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    make_events(time_machine)
    receiver.codes = [500, 500, 500]
    dispatch_webhooks()

    page = client.get(f"/admin/notifications/webhooksubscriber/{subscriber.pk}/change/")
    assert page.status_code == 200
    assert SECRET.encode() not in page.content
    log = client.get("/admin/notifications/webhookdelivery/", {"status__exact": "failed"})
    assert log.status_code == 200
    assert b"HTTP 500" in log.content
    assert client.get("/admin/notifications/webhookdelivery/add/").status_code == 403

    # Saved without a secret: the old one is kept.
    data = {"name": "大数据中心", "url": receiver.url, "secret": "", "events": ["status_changed"], "active": "on"}
    response = client.post(f"/admin/notifications/webhooksubscriber/{subscriber.pk}/change/", data)
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.secret, subscriber.events) == (SECRET, ["status_changed"])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_post_each_event_once(require_postgres, receiver, fast_retries, time_machine):
    WebhookSubscriber.objects.create(name="并发", url=receiver.url, secret=SECRET)
    make_events(time_machine)
    errors: list[BaseException] = []

    def work():
        from django.db import connection

        try:
            dispatch_webhooks()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert len(receiver.accepted) == 4
    assert len({r["json"]["id"] for r in receiver.accepted}) == 4
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
