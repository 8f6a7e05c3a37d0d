"""The delivery ledger, preferences and webhooks in the admin: bureau staff only.

Least privilege: units never open these pages (their group holds no permission on them, and every
page here checks the staff role again). Secrets and robot URLs (a WeCom robot's key is in its URL)
are write-only: typed once, never rendered again; pages show a masked URL.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from targets.permissions import is_bureau_staff

from .egress import mask_url
from .models import Delivery, Preference, UnitWebhook, WebhookDelivery, WebhookEventType, WebhookSubscriber


class StaffOnlyAdmin(admin.ModelAdmin):
    """Every permission hook also requires the bureau staff role (superusers included)."""

    def has_module_permission(self, request):
        return is_bureau_staff(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_bureau_staff(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_bureau_staff(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_bureau_staff(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_bureau_staff(request.user) and super().has_delete_permission(request, obj)


class WriteOnlyUrlAdmin(StaffOnlyAdmin):
    @admin.display(description=_("URL (masked)"))
    def masked_url(self, obj) -> str:
        return mask_url(obj.url)


class DeliveryLogAdmin(StaffOnlyAdmin):
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
class PreferenceAdmin(StaffOnlyAdmin):
    list_display = ["person", "digest_muted", "delegate", "updated_at"]
    list_filter = ["digest_muted"]
    search_fields = ["person__name", "delegate__name"]
    autocomplete_fields = ["person", "delegate"]
    list_select_related = ["person", "delegate"]


class WriteOnlyUrlForm(forms.ModelForm):
    """URL and secret are write-only: never rendered again, kept when the field is left empty."""

    keep_hint = _("Leave empty to keep the current value.")
    secret_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["url"].required = False
            self.fields["url"].help_text = self.keep_hint

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "")
        if url:
            return url
        if self.instance.pk and self.instance.url:
            return self.instance.url
        raise forms.ValidationError(_("This field is required."), code="required")

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        if secret:
            return secret
        if self.instance.pk and self.instance.secret:
            return self.instance.secret
        if self.secret_required:
            raise forms.ValidationError(_("A new subscriber needs a signing secret."))
        return ""


class UnitWebhookForm(WriteOnlyUrlForm):
    # Robot URLs are https; a bare host typed in the form gets https, not http (Django 6 default).
    url = forms.URLField(
        label=_("webhook URL"), max_length=500, assume_scheme="https", widget=forms.PasswordInput(render_value=False)
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk 'sign' security setting (SEC…); empty for WeCom. Leave empty to keep the current secret."),
    )
    secret_required = False

    class Meta:
        model = UnitWebhook
        fields = ["department", "platform", "url", "secret", "active"]


@admin.register(UnitWebhook)
class UnitWebhookAdmin(WriteOnlyUrlAdmin):
    form = UnitWebhookForm
    list_display = ["department", "platform", "masked_url", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["department__name", "department__short_name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]
    readonly_fields = ["masked_url"]


class WebhookSubscriberForm(WriteOnlyUrlForm):
    """URL and secret are write-only: never shown again, kept when the field is left empty."""

    url = forms.URLField(
        label=_("endpoint URL"), max_length=500, assume_scheme="https", widget=forms.PasswordInput(render_value=False)
    )
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


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(WriteOnlyUrlAdmin):
    form = WebhookSubscriberForm
    list_display = ["name", "masked_url", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["masked_url", "consecutive_failures", "disabled_at", "disabled_reason", "created_at"]

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
