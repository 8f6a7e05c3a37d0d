"""Claim-before-send: the one path every notification takes to the mail server.

    deliver(Outgoing(...), breaker=None) -> "sent" | "skipped" | "in_progress" | "failed" | "undeliverable"

1. The ledger row is created under its unique key (or found, when an earlier run created it).
2. A worker claims it with a conditional UPDATE (pending or failed, and not claimed by a live
   worker); only the one whose UPDATE changed a row goes on to send.
3. SMTP errors are retried with exponential backoff; a message that still fails is marked failed
   with the error, and the next run tries it again. Sent rows are never touched again.
4. A mail server that cannot be reached (connection refused, reset, timed out) trips the run's
   Breaker: that message and every later one of the run are marked failed at once, with no
   per-recipient backoff, and the caller reports the outage (send_digests exits non-zero).
5. A row claimed by another, live worker is "in_progress", not "already sent": a run killed mid-send
   leaves its claim, and the row is retried once the claim is older than DUBAN_NOTIFY_LEASE.
6. Every e-mail carries a Message-ID derived from its ledger key, so a message re-sent after an
   interrupted send (the first copy may have gone out) is the same message to the receiving side.

No transaction spans the send: each step commits on its own so a second worker sees the claim.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import DNS_NAME
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .egress import TransportError
from .models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)


# Errors worth retrying: the server refused, the connection broke, or it timed out.
TRANSIENT = (smtplib.SMTPException, OSError, TransportError)
# Errors that say the mail server itself is unreachable: every other recipient would fail alike.
UNREACHABLE = (ConnectionError, TimeoutError, socket.gaierror, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


@dataclass
class Breaker:
    """One run's circuit breaker on the mail server: open once it could not be reached."""

    error: str = ""

    @property
    def open(self) -> bool:
        return bool(self.error)


def message_id(key: str) -> str:
    """A Message-ID stable per ledger key (RFC 5322 form), whichever worker sends it: on the sender
    address's domain (the host's name if it has none)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<duban.{digest}@{domain}>"


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
    # Another channel (notifications.robots): called with the built message, raises on failure.
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


def send_with_retry(
    message, transport: Callable[[object], None] = send_mail, *, breaker: Breaker | None = None
) -> tuple[int, str]:
    """Send, retrying transient errors with exponential backoff. Returns (attempts, error).

    With a breaker, an unreachable server trips it and ends the attempts at once."""
    attempts = max(1, settings.DUBAN_NOTIFY_ATTEMPTS)
    pause = settings.DUBAN_NOTIFY_BACKOFF_MS / 1000
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            transport(message)
            return attempt, ""
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            if breaker is not None and isinstance(exc, UNREACHABLE):
                breaker.error = error
                log.error("mail server unreachable, sending stops for this run: %s", error)
                return attempt, error
            log.warning("delivery attempt %s/%s failed: %s", attempt, attempts, error)
            if attempt < attempts:
                time.sleep(pause)
                pause *= 2
    return attempts, error


def deliver(out: Outgoing, breaker: Breaker | None = None) -> str:
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
    email = out.transport is None
    if email and breaker is not None and breaker.open:
        # The server is down for this run: recorded as failed (unless another worker holds the row),
        # so the daily retry sends it; nothing is attempted.
        Delivery.objects.filter(pk=row.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).filter(
            claimed_at__isnull=True
        ).update(status=DeliveryStatus.FAILED, last_error=f"not attempted: {breaker.error}")
        return "failed"
    if not claim(row):
        # Sent meanwhile by the worker that won the claim, or still claimed by a live worker (or by a
        # killed one, until its lease runs out).
        sent = Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENT).exists()
        return "skipped" if sent else "in_progress"
    message = out.build()
    if email:
        message.extra_headers["Message-ID"] = message_id(out.key)
    tries, error = send_with_retry(message, out.transport or send_mail, breaker=breaker if email else None)
    fields = {"attempts": row.attempts + tries, "claimed_at": None, "subject": message.subject[:300], "address": out.address}
    if error:
        Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, last_error=error, **fields)
        return "failed"
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", **fields)
    return "sent"


def recent_failures(now, days: int = 7) -> dict | None:
    """Messages of the last `days` that are still failed, for the staff's warning on the admin home
    page (the mail server may be the thing that is down, so it is not e-mailed)."""
    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED, created_at__gte=now - timedelta(days=days))
    count = failed.count()
    if not count:
        return None
    return {"count": count, "last_error": failed.order_by("-id").values_list("last_error", flat=True).first()}
