"""The rows under a finding on its admin page: progress notes and extension requests (added, never
changed: they go through targets.findings), and the escalation notices sent about it."""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.
# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Value
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import ExtensionDecision
from ..formatting import EMPTY
from ..models import (
    Escalation,
    ExtensionRequest,
    FindingUpdate,
)
from .helpers import DubanModelForm, is_staff, may_work_on


class AddOnlyInline(admin.TabularInline):
    """Rows appended on the finding page (never edited or deleted): staff, or the finding's own unit."""

    extra = 0
    can_delete = False
    form = DubanModelForm

    def has_add_permission(self, request, obj=None):
        return may_work_on(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingUpdateInline(AddOnlyInline):
    model = FindingUpdate
    fields = ("date", "text", "author")
    readonly_fields = ("author",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ExtensionFormSet(BaseInlineFormSet):
    """A new extension request needs a reason and a date later than the finding's current deadline."""

    def clean(self):
        super().clean()
        finding = self.instance
        for form in self.extra_forms:
            if not form.has_changed() or form.errors:
                continue
            new = form.cleaned_data.get("requested_deadline")
            if new is not None and finding.deadline and new <= finding.deadline:
                form.add_error("requested_deadline", _("The new deadline must be later than the current one."))
            if not (form.cleaned_data.get("reason") or "").strip():
                form.add_error("reason", _("Give the reason for the extension."))


class ExtensionRequestInline(AddOnlyInline):
    model = ExtensionRequest
    formset = ExtensionFormSet
    fields = (
        "requested_deadline",
        "reason",
        "previous_deadline",
        "requested_by",
        "requested_at",
        "decision",
        "decided_by",
        "decide",
    )
    readonly_fields = ("previous_deadline", "requested_by", "requested_at", "decision", "decided_by", "decide")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def get_queryset(self, request):
        # The decide buttons are for staff; the flag rides on each row (the column has no request).
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "decided_by")
            .annotate(duban_staff=Value(is_staff(request)))
        )

    @admin.display(description=_("decide"))
    def decide(self, obj):
        if obj is None or obj.pk is None or obj.decision != ExtensionDecision.PENDING or not getattr(obj, "duban_staff", False):
            return EMPTY
        # Buttons of the change form posting to the decision view (a form cannot hold another form).
        approve = reverse("admin:targets_finding_extension", args=[obj.finding_id, obj.pk, "approve"])
        reject = reverse("admin:targets_finding_extension", args=[obj.finding_id, obj.pk, "reject"])
        return format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button> '
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
            approve,
            gettext("Approve"),
            reject,
            gettext("Reject"),
        )


class EscalationInline(admin.TabularInline):
    model = Escalation
    fields = ("level", "date", "reason", "people_told")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("people told"))
    def people_told(self, obj):
        return "、".join(str(p.get("name", "")) for p in obj.recipients or []) or EMPTY
