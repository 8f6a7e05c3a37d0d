"""Request-level security: expired passwords must be changed; every file download is audited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .audit import record
from .models import AuditAction
from .passwords import password_expired


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
            and password_expired(user)
        ):
            messages.warning(request, _("Your password has expired: choose a new one to go on."))
            return redirect("admin:password_change")
        return self.get_response(request)

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
