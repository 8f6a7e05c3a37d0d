"""API tokens in the admin: bureau staff see who holds a token and revoke it.

Registered by targets.admin on import. Tokens are issued with `manage.py issue_token`, which shows
the key once; the admin never sees a key, only its prefix.
"""

# ruff: noqa: ARG002 - DRF and admin hooks have fixed signatures
from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from security.audit import record
from security.models import AuditAction

from ..models import ApiToken
from ..permissions import is_bureau_staff


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "read_only", "expires_at", "last_used_at", "revoked_at", "created_at"]
    list_filter = ["read_only"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = ["user", "prefix", "last_used_at", "created_at"]
    fields = ["user", "name", "prefix", "read_only", "expires_at", "revoked_at", "last_used_at", "created_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    # Units' logins view every model, but not who holds the API's tokens.
    def has_view_permission(self, request, obj=None) -> bool:
        return is_bureau_staff(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_bureau_staff(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_bureau_staff(request.user) and super().has_delete_permission(request, obj)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        live = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        count = ApiToken.objects.filter(pk__in=[t.pk for t in live], revoked_at__isnull=True).update(revoked_at=timezone.now())
        for token in live:  # a bulk UPDATE sends no signal: the audit rows are written here
            record(AuditAction.TOKEN_REVOKED, request=request, target=f"token:{token.prefix} user:{token.user.get_username()}")
        self.message_user(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count})
