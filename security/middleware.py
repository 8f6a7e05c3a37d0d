"""Request-level security: idle sessions end; expired passwords must be changed; downloads are audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record
from .models import AuditAction
from .passwords import last_changed, password_expired

# A session is saved again (and its expiry pushed DUBAN_SESSION_IDLE_MINUTES ahead) at most this often:
# not on every request, which would cost each page an UPDATE. It ends 25 to 30 idle minutes after use.
TOUCH_EVERY = dt.timedelta(minutes=5)


class IdleSessionMiddleware:
    """Idle sessions end: an existing session is re-saved when TOUCH_EVERY has passed since it last was,
    which renews its SESSION_COOKIE_AGE (DUBAN_SESSION_IDLE_MINUTES) in the database and the cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = timezone.now().timestamp()
            seen = session.get("duban_seen")
            if seen is None or now - seen >= TOUCH_EVERY.total_seconds():
                session["duban_seen"] = now
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A session login whose password is older than DUBAN_PASSWORD_MAX_AGE_DAYS sees only the admin's
    password change page (and logout) until it sets a new one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(self.admin_prefix())
            and request.path not in self.exempt()
            and self.expired(request, user)
        ):
            messages.warning(request, _("Your password has expired: choose a new one to go on."))
            return redirect("admin:password_change")
        return self.get_response(request)

    @staticmethod
    def expired(request, user) -> bool:
        """From the date kept in the session (no query per page); the database decides when it looks expired."""
        cached = request.session.get("duban_password_changed")
        if cached and cached[0] == user.pk:
            changed = dt.datetime.fromisoformat(cached[1])
            days = settings.DUBAN_PASSWORD_MAX_AGE_DAYS
            if not days or timezone.now() - changed <= dt.timedelta(days=days):
                return False
        changed = last_changed(user)
        if changed is not None:
            request.session["duban_password_changed"] = [user.pk, changed.isoformat()]
        return password_expired(user)

    @staticmethod
    def admin_prefix() -> str:
        try:
            return reverse("admin:index")
        except NoReverseMatch:
            return "/admin/"

    @staticmethod
    def exempt() -> set[str]:
        return {reverse("admin:password_change"), reverse("admin:password_change_done"), reverse("admin:logout")}


class AuditDownloadsMiddleware:
    """Records each attachment served (every export: workbooks, notices, the dashboard's .xlsx)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if disposition.startswith("attachment"):
            user = getattr(request, "user", None)
            record(
                AuditAction.EXPORT,
                request=request,
                user=user if user is not None and user.is_authenticated else None,
                success=200 <= response.status_code < 300,
                target=request.get_full_path()[:200],
                detail={"file": disposition[:300], "status": response.status_code},
            )
        return response
