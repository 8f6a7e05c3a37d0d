"""Celery tasks: thin shells over notifications.digests."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from .digests import retry_digests, send_digests
from .notices import send_notices

log = logging.getLogger(__name__)


@shared_task(name="notifications.send_digests", ignore_result=True, acks_late=True)
def send_digests_task(as_of: str | None = None) -> str:
    """This week's digests; scheduled Mondays 08:30 by beat, idempotent per ISO week."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    summary = send_digests(day)
    if not summary.ok:
        log.error("not every digest was sent (the daily retry sends them): %s", summary.line())
    return summary.line()


@shared_task(name="notifications.retry_digests", ignore_result=True, acks_late=True)
def retry_digests_task(as_of: str | None = None) -> list[str]:
    """Digests of this and last week still unsent (failed or interrupted); scheduled daily at 09:30."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    summaries = retry_digests(day)
    for summary in summaries:
        (log.info if summary.ok else log.error)("retry: %s", summary.line())
    return [summary.line() for summary in summaries]


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


@shared_task(name="notifications.apply_retention", ignore_result=True, acks_late=True)
def apply_retention_task() -> str:
    """Snapshots thinned, old ledger and history rows removed, sessions cleared; daily at 03:15."""
    from .retention import apply_retention

    return apply_retention().line()
