"""Claim-before-send: the one path every notification takes to the mail server.

    deliver(Outgoing(...)) -> "sent" | "skipped" | "failed" | "undeliverable"

1. The ledger row is created under its unique key (or found, when an earlier run created it).
2. A worker claims it with a conditional UPDATE (pending or failed, and not claimed by a live
   worker); only the one whose UPDATE changed a row goes on to send.
3. SMTP errors are retried with exponential backoff; a message that still fails is marked failed
   with the error, and the next run tries it again. Sent rows are never touched again.

No transaction spans the send: each step commits on its own so a second worker sees the claim.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)


class TransportError(Exception):
    """A channel answered but refused the message (e.g. a webhook's non-zero errcode)."""


# Errors worth retrying: the server refused, the connection broke, or it timed out.
TRANSIENT = (smtplib.SMTPException, OSError, TransportError)


@dataclass
class Outgoing:
    kind: str
    key: str
    address: str
    recipient_id: int | None = None
    period: str = ""
    finding_id: int | None = None
    level: int | None = None
    # Builds the message only once the row is claimed (rendering is wasted on a skipped key).
    build: Callable[[], EmailMultiAlternatives] | None = None
    # Another channel (notifications.webhooks): called with the built message, raises on failure.
    transport: Callable[[object], None] | None = None


def ledger_row(out: Outgoing) -> tuple[Delivery, bool]:
    """The row for the key, created if new. Safe under concurrency: the constraint decides."""
    defaults = {
        "kind": out.kind,
        "recipient_id": out.recipient_id,
        "address": out.address,
        "period": out.period,
        "finding_id": out.finding_id,
        "level": out.level,
        "status": DeliveryStatus.PENDING if out.address else DeliveryStatus.UNDELIVERABLE,
    }
    try:
        with transaction.atomic():
            return Delivery.objects.get_or_create(key=out.key, defaults=defaults)
    except IntegrityError:
        # Another worker inserted the same key between our SELECT and INSERT.
        return Delivery.objects.get(key=out.key), False


def claim(row) -> bool:
    """Take a ledger row (a Delivery or a WebhookDelivery) for sending.

    True for exactly one worker while the row is unsent; a claim older than the lease is taken to be
    abandoned by a crashed worker.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DUBAN_NOTIFY_LEASE)
    claimed = (
        type(row)
        .objects.filter(pk=row.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    return claimed == 1


def send_mail(message: EmailMultiAlternatives) -> None:
    message.connection = get_connection(fail_silently=False)
    message.send(fail_silently=False)


def send_with_retry(message, transport: Callable[[object], None] = send_mail) -> tuple[int, str]:
    """Send, retrying transient errors with exponential backoff. Returns (attempts, error)."""
    attempts = max(1, settings.DUBAN_NOTIFY_ATTEMPTS)
    pause = settings.DUBAN_NOTIFY_BACKOFF_MS / 1000
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            transport(message)
            return attempt, ""
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("delivery attempt %s/%s failed: %s", attempt, attempts, error)
            if attempt < attempts:
                time.sleep(pause)
                pause *= 2
    return attempts, error


def deliver(out: Outgoing) -> str:
    row, _created = ledger_row(out)
    if row.status == DeliveryStatus.SENT:
        return "skipped"
    if row.status == DeliveryStatus.UNDELIVERABLE:
        if not out.address:
            return "undeliverable"
        # The person has an address now: deliver what could not be delivered before.
        Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.UNDELIVERABLE).update(
            status=DeliveryStatus.PENDING, address=out.address
        )
    if not claim(row):
        return "skipped"
    message = out.build()
    tries, error = send_with_retry(message, out.transport or send_mail)
    fields = {"attempts": row.attempts + tries, "claimed_at": None, "subject": message.subject[:300], "address": out.address}
    if error:
        Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, last_error=error, **fields)
        return "failed"
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", **fields)
    return "sent"
