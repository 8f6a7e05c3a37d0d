"""Digests over a real SMTP server on loopback (aiosmtpd): encoding, both parts, exactly once, outage."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.test import override_settings

from notifications.digests import send_digests
from notifications.models import Delivery, DeliveryStatus
from notifications.tests.scenario import MONDAY, build

pytestmark = [pytest.mark.django_db, pytest.mark.smtp]


def smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    )


def received(server) -> dict[str, email.message.EmailMessage]:
    out = {}
    for _sender, rcpts, raw in server.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for rcpt in rcpts:
            out[rcpt] = message
    return out


def test_it_delivers_chinese_subjects_and_both_parts_over_smtp(staff, smtp_server, fast_retries):
    build()

    with smtp_settings(smtp_server.port):
        summary = send_digests(MONDAY)

    assert summary.sent == 3
    messages = received(smtp_server)
    assert sorted(messages) == ["leader@example.com", "p1@example.com", "staff@example.com"]
    unit = messages["p1@example.com"]
    raw = next(raw for _s, rcpts, raw in smtp_server.messages if rcpts == ["p1@example.com"])
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    headers.decode("ascii")  # headers are 7-bit on the wire: the Chinese subject is RFC 2047 encoded
    assert b"=?utf-8?b?" in headers.split(b"\r\nSubject:", 1)[1].split(b"\r\nFrom:", 1)[0]
    assert str(unit["Subject"]).strip() == "【督办周报】2023-W28 本单位：红灯 1 个，黄灯 0 个"
    parts = {part.get_content_type(): part.get_content() for part in unit.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "[红灯] P1" in parts["text/plain"]
    assert "<a href=" in parts["text/html"]
    # Only the optional digest carries the one-click unsubscribe headers.
    assert unit["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in unit["List-Unsubscribe"]
    assert messages["leader@example.com"]["List-Unsubscribe"] is None


def test_a_rerun_sends_nothing_twice_over_smtp(staff, smtp_server, fast_retries):
    build()

    with smtp_settings(smtp_server.port):
        send_digests(MONDAY)
        again = send_digests(MONDAY)

    assert len(smtp_server.messages) == 3
    assert again.skipped == 3


def test_an_outage_marks_rows_failed_and_the_next_run_sends_only_what_is_missing(staff, smtp_server, fast_retries):
    build()
    with smtp_settings(smtp_server.port):
        send_digests(MONDAY)
    assert len(smtp_server.messages) == 3
    # A new unit digest appears for the week (say, a contact got an address) while the server is down.
    Delivery.objects.filter(address="leader@example.com").delete()
    smtp_server.stop()

    with smtp_settings(smtp_server.port):
        down = send_digests(MONDAY)

    assert (down.failed, down.skipped) == (1, 2)
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    # A refused connection trips the run's breaker: one attempt, no per-recipient backoff.
    assert (failed.address, failed.attempts) == ("leader@example.com", 1)
    assert "Connection refused" in failed.last_error or "Errno" in failed.last_error
    assert down.breaker.open

    smtp_server.start()
    with smtp_settings(smtp_server.port):
        back = send_digests(MONDAY)

    assert (back.sent, back.skipped) == (1, 2)
    assert [rcpts for _s, rcpts, _raw in smtp_server.messages][3:] == [["leader@example.com"]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.SENT, 2, "")
