"""The audit log in the admin: read-only for everyone, superusers included; auditors see only this.

Django's user admin gets one change: only a superuser may grant or take away superuser status, so a
security administrator cannot raise a login (or itself) above its role.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip", "action", "success", "target"]
    list_filter = ["action", "success"]
    search_fields = ["username", "ip", "target"]
    date_hierarchy = "at"
    show_full_result_count = False
    actions = None

    def get_readonly_fields(self, request, obj=None):  # noqa: ARG002
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False


User = get_user_model()


class DubanUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, DubanUserAdmin)
