"""Writing the security audit log: record() from signals, views and jobs; purge() for retention.

    record(action, request=None, user=None, username="", success=True, target="", detail=None)

The request (who, from where) defaults to the one being served (simple-history's middleware keeps
it per thread), so a signal handler deep in a save still knows the actor. A Celery job has none:
its rows carry the user the job acts for and no address.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import models
from django.utils import timezone

from .client import client_ip
from .models import AuditEvent

log = logging.getLogger("duban.audit")

# 等保 2.0 level 2 asks for at least six months of audit records.
MINIMUM_RETENTION_DAYS = 180


def current_request():
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def record(
    action: str,
    *,
    request=None,
    user=None,
    username: str = "",
    success: bool = True,
    target: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    request = request if request is not None else current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    name = username or (user.get_username() if user is not None else "")
    event = AuditEvent.objects.create(
        user=user if user is not None and user.pk else None,
        username=name[:150],
        ip=client_ip(request),
        action=action,
        success=success,
        target=str(target)[:200],
        detail=detail or {},
    )
    # The same line to the log, for a collector outside the database (no secrets in it: never a password).
    log.info("audit %s user=%s ip=%s success=%s target=%s", action, name or "-", event.ip or "-", success, event.target)
    return event


def retention_days() -> int:
    return max(MINIMUM_RETENTION_DAYS, getattr(settings, "DUBAN_AUDIT_RETENTION_DAYS", 365))


def purge(as_of: dt.datetime | None = None) -> int:
    """Remove rows older than the retention (never fewer than 180 days). Returns the count removed."""
    cutoff = (as_of or timezone.now()) - dt.timedelta(days=retention_days())
    # The one path past the append-only guard: a plain QuerySet delete.
    deleted, _ = models.QuerySet(AuditEvent).filter(at__lt=cutoff).delete()
    return deleted
