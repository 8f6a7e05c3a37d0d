"""Celery tasks: thin shells over notifications.digests."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .digests import send_digests
from .notices import send_notices


@shared_task(name="notifications.send_digests", ignore_result=True, acks_late=True)
def send_digests_task(as_of: str | None = None) -> str:
    """This week's digests; scheduled Mondays 08:30 by beat, idempotent per ISO week."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return send_digests(day).line()


@shared_task(name="notifications.send_notices", ignore_result=True, acks_late=True)
def send_notices_task(as_of: str | None = None) -> list[str]:
    """Escalation notices and report reminders; scheduled daily at 07:45, after the supervision run."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return [summary.line() for summary in send_notices(day)]


@shared_task(name="notifications.send_webhooks", ignore_result=True, acks_late=True)
def send_webhooks_task() -> str:
    """New events to the outgoing-webhook subscribers; scheduled every 5 minutes by beat."""
    from .outgoing import dispatch_webhooks

    return dispatch_webhooks().line()
