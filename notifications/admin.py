"""The delivery ledger in the admin: read-only, failed rows easy to find."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Preference, UnitWebhook, WebhookDelivery, WebhookEventType, WebhookSubscriber


class DeliveryLogAdmin(admin.ModelAdmin):
    """A delivery log: written by the senders only, read by staff (every field read-only)."""

    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):  # noqa: ARG002 (Django's signature)
        return [f.name for f in self.model._meta.fields]

    @admin.display(description=_("last error"))
    def short_error(self, obj) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request):  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False


@admin.register(Delivery)
class DeliveryAdmin(DeliveryLogAdmin):
    list_display = ["key", "kind", "recipient", "address", "status", "attempts", "sent_at", "short_error", "created_at"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["key", "address", "recipient__name", "subject"]
    list_select_related = ["recipient"]


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


class WebhookSubscriberForm(forms.ModelForm):
    """The secret is write-only: never shown again, kept when the field is left empty."""

    url = forms.URLField(label=_("endpoint URL"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret."),
    )
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["name", "url", "secret", "events", "active"]

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        if secret:
            return secret
        if self.instance.pk and self.instance.secret:
            return self.instance.secret
        raise forms.ValidationError(_("A new subscriber needs a signing secret."))


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    form = WebhookSubscriberForm
    list_display = ["name", "url", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]

    def save_model(self, request, obj, form, change):
        if change and obj.active and "active" in form.changed_data:
            # Switched on again by staff: a fresh start; the undelivered events are retried.
            obj.consecutive_failures, obj.disabled_at, obj.disabled_reason = 0, None, ""
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DeliveryLogAdmin):
    list_display = [
        "key",
        "subscriber",
        "event_type",
        "status",
        "status_code",
        "attempts",
        "duration_ms",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "subscriber", "event_type", "status_code"]
    search_fields = ["key", "event_id", "subscriber__name"]
    list_select_related = ["subscriber"]
