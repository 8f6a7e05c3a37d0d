"""The delivery ledger in the admin: read-only, failed rows easy to find."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Preference, UnitWebhook


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "recipient", "address", "status", "attempts", "sent_at", "short_error", "created_at"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["key", "address", "recipient__name", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request):  # noqa: ARG002 (Django's signature)
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "digest_muted", "delegate", "updated_at"]
    list_filter = ["digest_muted"]
    search_fields = ["person__name", "delegate__name"]
    autocomplete_fields = ["person", "delegate"]
    list_select_related = ["person", "delegate"]


@admin.register(UnitWebhook)
class UnitWebhookAdmin(admin.ModelAdmin):
    list_display = ["department", "platform", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["department__name", "department__short_name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]
    # Robot URLs are https; a bare host typed in the form gets https, not http (Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
