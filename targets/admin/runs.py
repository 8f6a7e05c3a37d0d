"""Supervision runs in the admin (start one by hand, see what it found) and the staff-only overrides
of a run's inputs: status overrides and working days (节假日调休)."""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.
# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import StatusChoice
from ..headlines import current_plan
from ..models import (
    HolidayOverride,
    Plan,
    StatusOverride,
    SupervisionRun,
)
from .helpers import DubanAdmin, DubanModelForm, StaffWriteMixin, is_staff, short
from .status import LIGHT_LABELS, badge


class RunForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.order_by("-year"))
    as_of = forms.DateField(label=_("as of"), widget=widgets.AdminDateWidget)


@admin.register(SupervisionRun)
class SupervisionRunAdmin(DubanAdmin):
    change_list_template = "admin/targets/supervisionrun/change_list.html"
    list_display = ("as_of", "plan", "items", "counts_display", "opened", "escalated", "ready_to_close", "finished_at")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False  # runs are made by the job or the "run now" page

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("counts per colour"))
    def counts_display(self, obj):
        counts = obj.counts or {}
        return format_html_join(" ", "{} {}", ((badge(status), counts.get(status, 0)) for status in StatusChoice.values))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "duban_may_run": is_staff(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("run/", self.admin_site.admin_view(self.run_view), name="targets_supervisionrun_run"), *super().get_urls()]

    def run_view(self, request):
        if not is_staff(request):
            raise PermissionDenied
        from ..engine.supervision import RunInProgress, supervise

        today = timezone.localdate()
        form = RunForm(request.POST or None, initial={"plan": current_plan(today), "as_of": today})
        if request.method == "POST" and form.is_valid():
            try:
                summary = supervise(form.cleaned_data["plan"], form.cleaned_data["as_of"])
            except RunInProgress:
                self.message_user(
                    request, gettext("Another supervision run of this plan is in progress; try again later."), messages.ERROR
                )
                return HttpResponseRedirect(reverse("admin:targets_supervisionrun_changelist"))
            colours = ", ".join(f"{LIGHT_LABELS[s]} {summary.counts.get(s, 0)}" for s in StatusChoice.values)
            text = gettext(
                "Plan %(year)s evaluated on %(dates)s: %(items)s items (%(colours)s); %(events)s colour changes; "
                "findings opened %(opened)s, escalated %(escalated)s, ready to close %(ready)s."
            ) % {
                "year": summary.plan,
                "dates": ", ".join(d.isoformat() for d in summary.dates),
                "items": summary.items,
                "colours": colours,
                "events": summary.events,
                "opened": summary.opened,
                "escalated": summary.escalated,
                "ready": summary.ready_to_close,
            }
            self.message_user(request, text, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:targets_supervisionrun_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run supervision now"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/targets/supervisionrun/run.html", context)


# --- Status overrides and working days (staff only) ------------------------------------------------------


class StaffOnlyViewMixin:
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_staff(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_staff(request)


class StatusOverrideForm(DubanModelForm):
    class Meta:
        model = StatusOverride
        fields = ("item", "status", "reason", "valid_from", "valid_until")

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Give the reason for overriding the status."), code="required")
        return reason

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end must not be before the start."))
        return data


@admin.register(StatusOverride)
class StatusOverrideAdmin(StaffOnlyViewMixin, DubanAdmin):
    """A staff decision to show an item in another colour; the reason is required, every change audited."""

    form = StatusOverrideForm
    list_display = ("item", "status_badge", "short_reason", "valid_from", "valid_until", "created_by", "created_at")
    list_filter = ("status", "item__plan", "item__kind")
    list_select_related = ("item", "created_by")
    search_fields = ("item__code", "item__title", "reason")
    autocomplete_fields = ("item",)
    readonly_fields = ("created_by", "created_at")
    fields = ("item", "status", "reason", ("valid_from", "valid_until"), ("created_by", "created_at"))

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.status)

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return short(obj.reason, 50)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("valid_from", timezone.localdate())
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(StaffOnlyViewMixin, StaffWriteMixin, admin.ModelAdmin):
    """Local working-day decisions over the PRC calendar (deadlines and reply dates count working days)."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)

    class Media:
        css = {"all": ["duban/admin.css"]}
