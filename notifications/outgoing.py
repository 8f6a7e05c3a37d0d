"""Outgoing webhooks: the register's events as signed JSON POSTs to the subscribers set up in the admin.

    dispatch_webhooks(since=None) -> WebhookSummary

1. Collect: the new events (colour changes, findings opened / escalated / closed, progress reports
   submitted) since the earliest active subscriber's created_at (the watermark), one query per table.
   Each becomes an outbox row per subscriber under (subscriber, key); the UniqueConstraint, not a
   check in Python, makes each event go to each subscriber once, even with two workers.
2. Deliver: every unsent row is claimed with a conditional UPDATE (like the e-mail ledger), POSTed
   with X-Duban-Signature: sha256=<HMAC-SHA256 of the raw body>, retried with the ledger's backoff
   (DUBAN_NOTIFY_ATTEMPTS, DUBAN_NOTIFY_BACKOFF_MS), and its status code and duration recorded.
3. After DUBAN_WEBHOOK_DISABLE_AFTER failed deliveries in a row the subscriber is switched off and
   bureau staff get one e-mail through the ledger (keyed per subscriber and switch-off).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from targets.choices import FindingLevel, FindingState
from targets.models import Escalation, Finding, ProgressReport, StatusEvent

from .delivery import Outgoing, TransportError, claim, deliver, send_with_retry
from .egress import mask_url, open_url
from .emails import make_message
from .models import DeliveryKind, DeliveryStatus, WebhookDelivery, WebhookEventType, WebhookSubscriber

T = WebhookEventType


@dataclass
class Event:
    key: str
    type: str
    occurred_at: dt.datetime
    data: dict


@dataclass
class WebhookSummary:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    disabled: list[str] = field(default_factory=list)

    def line(self) -> str:
        off = f", switched off: {', '.join(self.disabled)}" if self.disabled else ""
        return f"webhooks: queued {self.queued}, sent {self.sent}, failed {self.failed}, skipped {self.skipped}{off}"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _dec(value) -> str | None:
    return None if value is None else str(value)


def _item(item) -> dict:
    return {"id": item.pk, "code": item.code, "title": item.title}


def _finding(f: Finding) -> dict:
    return {
        "id": f.pk,
        "item": _item(f.item),
        "cause": f.cause,
        "state": f.state,
        "level": f.level,
        "opened_on": f.opened_on.isoformat(),
        "deadline": f.deadline.isoformat(),
        "unit": f.department.name if f.department_id else None,
        "description": f.description,
    }


def collect(since: dt.datetime) -> list[Event]:
    """Every event at or after `since`: five queries, whatever the number of events."""
    events: list[Event] = []
    for e in StatusEvent.objects.filter(created_at__gte=since).select_related("item").order_by("created_at", "pk"):
        data = {
            "item": _item(e.item),
            "date": e.date.isoformat(),
            "old_status": e.old_status,
            "new_status": e.new_status,
            "reasons": e.reasons,
        }
        events.append(Event(f"status:{e.pk}", T.STATUS_CHANGED, e.created_at, data))
    findings = Finding.objects.select_related("item", "department")
    for f in findings.filter(created_at__gte=since).order_by("created_at", "pk"):
        events.append(Event(f"finding_opened:{f.pk}", T.FINDING_OPENED, f.created_at, _finding(f)))
    escalations = Escalation.objects.filter(created_at__gte=since, level__gt=FindingLevel.REMINDER)
    for e in escalations.select_related("finding__item", "finding__department").order_by("created_at", "pk"):
        data = {**_finding(e.finding), "level": e.level, "date": e.date.isoformat(), "reason": e.reason}
        events.append(Event(f"finding_escalated:{e.pk}", T.FINDING_ESCALATED, e.created_at, data))
    # Findings carry the day they were closed out, not the moment: the day counts.
    closed = findings.filter(state=FindingState.CLOSED, closed_on__gte=timezone.localdate(since)).order_by("closed_on", "pk")
    for f in closed:
        data = {**_finding(f), "closed_on": f.closed_on.isoformat()}
        events.append(Event(f"finding_closed:{f.pk}", T.FINDING_CLOSED, _day_start(f.closed_on), data))
    reports = ProgressReport.objects.filter(submitted_at__gte=since).select_related("item").order_by("submitted_at", "pk")
    for r in reports:
        data = {
            "id": r.pk,
            "item": _item(r.item),
            "as_of": r.as_of.isoformat(),
            "period": r.period.isoformat() if r.period else None,
            "value": _dec(r.value),
            "narrative": r.narrative,
            "problems": r.problems,
        }
        key = f"report:{r.pk}:{r.submitted_at.isoformat()}"
        events.append(Event(key, T.REPORT_SUBMITTED, r.submitted_at, data))
    return events


def after(event: Event, moment: dt.datetime) -> bool:
    if event.type == T.FINDING_CLOSED:  # known by the day only
        return timezone.localdate(event.occurred_at) >= timezone.localdate(moment)
    return event.occurred_at >= moment


def enqueue(subscribers: list[WebhookSubscriber], since: dt.datetime | None = None) -> int:
    """Outbox rows for the events each subscriber has not had yet. Returns the rows created."""
    if not subscribers:
        return 0
    start = min(s.created_at for s in subscribers)
    if since is not None:
        start = max(start, since)
    events = collect(start)
    if not events:
        return 0
    # Rows for these events were created after the events themselves (closures: after that day began).
    horizon = _day_start(timezone.localdate(start)) - timedelta(days=1)
    have = set(
        WebhookDelivery.objects.filter(subscriber__in=subscribers, created_at__gte=horizon).values_list("subscriber_id", "key")
    )
    rows = []
    for sub in subscribers:
        wanted = set(sub.events or [])
        for event in events:
            if event.type not in wanted or (sub.pk, event.key) in have:
                continue
            if not after(event, sub.created_at) or (since is not None and not after(event, since)):
                continue
            rows.append(
                WebhookDelivery(
                    subscriber=sub, key=event.key, event_type=event.type, occurred_at=event.occurred_at, payload=event.data
                )
            )
    # A second worker may have queued the same rows meanwhile: the constraint keeps one.
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def body_of(row: WebhookDelivery) -> bytes:
    message = {"id": str(row.event_id), "type": row.event_type, "occurred_at": row.occurred_at.isoformat(), "data": row.payload}
    return json.dumps(message, ensure_ascii=False).encode()


@dataclass
class Post:
    url: str
    body: bytes
    headers: dict
    status_code: int | None = None


def post(message: Post) -> None:
    """One POST; a non-2xx answer or a transport error raises (and is retried by send_with_retry)."""
    request = urllib.request.Request(message.url, data=message.body, headers=message.headers, method="POST")
    try:
        with open_url(request) as response:
            message.status_code = response.status
            response.read()
    except urllib.error.HTTPError as exc:
        message.status_code = exc.code
        raise TransportError(f"HTTP {exc.code}") from exc
    if not 200 <= message.status_code < 300:
        raise TransportError(f"HTTP {message.status_code}")


def send_one(row: WebhookDelivery, sub: WebhookSubscriber) -> str:
    """POST the row's event; returns the error, empty when delivered."""
    body = body_of(row)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Duban-Webhooks/1",
        "X-Duban-Event": row.event_type,
        "X-Duban-Event-Id": str(row.event_id),
        "X-Duban-Signature": sign(sub.secret, body),
    }
    message = Post(sub.url, body, headers)
    started = time.monotonic()
    tries, error = send_with_retry(message, post)
    fields = {
        "attempts": F("attempts") + tries,
        "claimed_at": None,
        "status_code": message.status_code,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
    if error:
        WebhookDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, last_error=error[:2000], **fields)
        return error
    WebhookDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", **fields)
    return ""


def record_failure(sub: WebhookSubscriber, error: str) -> bool:
    """Count a failed delivery; True when this failure switched the subscriber off."""
    WebhookSubscriber.objects.filter(pk=sub.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = max(1, settings.DUBAN_WEBHOOK_DISABLE_AFTER)
    now = timezone.now()
    reason = f"{limit} failed deliveries in a row; last: {error}"[:300]
    # Conditional: of two workers failing at once, one switches it off (and notifies).
    off = WebhookSubscriber.objects.filter(pk=sub.pk, active=True, consecutive_failures__gte=limit).update(
        active=False, disabled_at=now, disabled_reason=reason
    )
    if off:
        sub.active, sub.disabled_at, sub.disabled_reason = False, now, reason
        notify_staff(sub)
    return bool(off)


def notify_staff(sub: WebhookSubscriber) -> None:
    from .digests import staff_recipients  # digests imports a lot; only needed here

    stamp = sub.disabled_at.strftime("%Y%m%dT%H%M%S")
    ctx = {"subscriber": {"name": sub.name, "url": mask_url(sub.url), "reason": sub.disabled_reason, "at": sub.disabled_at}}
    for person in staff_recipients():
        deliver(
            Outgoing(
                kind=DeliveryKind.WEBHOOK_DISABLED,
                key=f"{DeliveryKind.WEBHOOK_DISABLED}:{sub.pk}:{stamp}:u{person['user_id']}",
                address=person["email"] or "",
                recipient_id=person.get("id"),
                build=lambda person=person: make_message("webhook-disabled", [person["email"]], {**ctx, "recipient": person}),
            )
        )


def dispatch_webhooks(since: dt.datetime | None = None) -> WebhookSummary:
    summary = WebhookSummary()
    subscribers = list(WebhookSubscriber.objects.filter(active=True).order_by("pk"))
    summary.queued = enqueue(subscribers, since)
    by_pk = {s.pk: s for s in subscribers}
    rows = WebhookDelivery.objects.filter(
        subscriber__in=subscribers, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).order_by("occurred_at", "pk")
    for row in rows:
        sub = by_pk[row.subscriber_id]
        if not sub.active or not claim(row):
            summary.skipped += 1
            continue
        error = send_one(row, sub)
        if not error:
            summary.sent += 1
            if sub.consecutive_failures:
                WebhookSubscriber.objects.filter(pk=sub.pk).update(consecutive_failures=0)
                sub.consecutive_failures = 0
        else:
            summary.failed += 1
            sub.consecutive_failures += 1
            if record_failure(sub, error):
                summary.disabled.append(sub.name)
    return summary
