"""The per-address login throttle: too many failed logins from one client address in the window and
every login from it is refused until the window has passed (the per-account lockout is django-axes').

It reads the audit log's failed logins, so it needs no cache and holds across processes.
"""

from __future__ import annotations

import datetime as dt

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .client import client_ip
from .models import AuditAction, AuditEvent


def address_throttled(ip: str | None, now: dt.datetime | None = None) -> bool:
    limit = settings.DUBAN_LOGIN_FAILURES_PER_ADDRESS
    if not ip or not limit:
        return False
    since = (now or timezone.now()) - dt.timedelta(minutes=settings.DUBAN_LOCKOUT_MINUTES)
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ip, at__gte=since).count()
    return failures >= limit


class AddressThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses (PermissionDenied stops the chain), never authenticates."""

    def authenticate(self, request, **_credentials):
        if request is not None and address_throttled(client_ip(request)):
            request.duban_address_throttled = True
            raise PermissionDenied
        return None


class AccountLockBackend(AxesStandaloneBackend):
    """django-axes' lock check for logins that come with a request (every web login).

    authenticate() without a request (the test client's login(), a script) is no client's attempt:
    it is passed on instead of failing with axes' AxesBackendRequestParameterRequired.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
