"""The ledger: claim before send, backoff between attempts, abandoned claims, addresses that appear later."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.utils import timezone

from notifications import delivery
from notifications.delivery import Outgoing, claim, deliver, send_with_retry
from notifications.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


def outgoing(address="a@example.com", key="digest_staff:1:2023-W28"):
    return Outgoing(
        kind="digest_staff", key=key, address=address, build=lambda: EmailMultiAlternatives("主题", "正文", to=[address])
    )


def test_the_key_is_unique_in_the_database():
    Delivery.objects.create(kind="digest_staff", key="k")
    with pytest.raises(IntegrityError):
        Delivery.objects.create(kind="digest_staff", key="k")


def test_it_backs_off_exponentially_between_attempts(settings, monkeypatch):
    settings.DUBAN_NOTIFY_ATTEMPTS = 4
    settings.DUBAN_NOTIFY_BACKOFF_MS = 500
    pauses = []
    monkeypatch.setattr(delivery.time, "sleep", pauses.append)
    calls = []

    def flaky(message):
        calls.append(message)
        if len(calls) < 3:
            raise smtplib.SMTPServerDisconnected("gone")

    assert send_with_retry("m", flaky) == (3, "")
    assert pauses == [0.5, 1.0]


def test_it_gives_up_after_the_configured_attempts_with_the_error(settings, monkeypatch):
    settings.DUBAN_NOTIFY_ATTEMPTS = 2
    monkeypatch.setattr(delivery.time, "sleep", lambda _s: None)

    def down(_message):
        raise smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")})

    attempts, error = send_with_retry("m", down)
    assert attempts == 2
    assert error.startswith("SMTPRecipientsRefused")


def test_a_live_claim_blocks_a_second_worker_but_an_abandoned_one_is_taken_over(settings):
    row = Delivery.objects.create(kind="digest_staff", key="k", address="a@example.com")
    assert claim(row) is True
    assert claim(row) is False  # another worker is sending it

    Delivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=settings.DUBAN_NOTIFY_LEASE + 1))
    assert claim(row) is True  # that worker crashed: its claim expired


def test_sent_rows_are_never_sent_again():
    assert deliver(outgoing()) == "sent"
    assert deliver(outgoing()) == "skipped"
    assert Delivery.objects.get().attempts == 1


def test_an_address_that_appears_later_is_delivered_once():
    assert deliver(outgoing(address="")) == "undeliverable"
    assert Delivery.objects.get().status == DeliveryStatus.UNDELIVERABLE

    assert deliver(outgoing(address="late@example.com")) == "sent"
    row = Delivery.objects.get()
    assert (row.status, row.address) == (DeliveryStatus.SENT, "late@example.com")
