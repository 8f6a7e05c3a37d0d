"""Progress reports (with their review: approve or send back) and milestones in the admin, across items."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import formatting, periods, review
from ..choices import ItemKind, ReviewState
from ..models import Milestone, ProgressReport
from .evidence import EvidenceOnSavedMixin, MilestoneEvidenceInline, ReportEvidenceInline
from .helpers import UnitScopedAdmin, is_staff
from .item_inlines import ProgressReportForm
from .list_filters import my_unit_filter
from .paging import RelatedOnlyExistsFilter, distinct_desc


class ItemLinkMixin:
    """List columns for rows that belong to an item (reports, milestones)."""

    @admin.display(description=_("lead unit"), ordering="item__lead_department__name")
    def lead_unit(self, obj):
        return obj.item.lead_department


class ReportingMonthFilter(admin.SimpleListFilter):
    """The review queue by month: the reporting months that have reports, newest first."""

    title = _("reporting month")
    parameter_name = "month"

    def lookups(self, _request, _model_admin):
        months = distinct_desc(ProgressReport.objects.all(), "period", 24)  # 24 index probes, not a DISTINCT scan
        return [(month.isoformat(), month.strftime("%Y-%m")) for month in months]

    def queryset(self, _request, queryset):
        if self.value():
            return queryset.filter(period=self.value())
        return queryset


@admin.register(ProgressReport)
class ProgressReportAdmin(EvidenceOnSavedMixin, ItemLinkMixin, UnitScopedAdmin):
    form = ProgressReportForm
    list_display = (
        "item", "lead_unit", "period_display", "as_of", "value_display", "review_state", "reporter", "submitted_at",
    )  # fmt: skip
    list_filter = (
        "review_state",
        ReportingMonthFilter,
        "item__plan",
        "item__kind",
        ("item__lead_department", RelatedOnlyExistsFilter),
        my_unit_filter("item__lead_department_id"),
    )
    list_select_related = ("item", "item__lead_department", "item__target", "reporter")
    search_fields = ("item__code", "item__title", "item__lead_department__name", "narrative", "problems")
    search_help_text = _("Search by item code or name, unit, or the report's text.")
    date_hierarchy = "as_of"
    readonly_fields = ("reporter", "submitted_at", "review_state", "review_comment", "reviewed_by", "reviewed_at")
    actions = ("approve_reports", "return_reports")
    fieldsets = (
        (None, {"fields": ("item", ("as_of", "period"), "value")}),
        (_("Progress"), {"fields": ("narrative", "problems")}),
        (_("Correction"), {"fields": ("correction_reason",)}),
        (_("Review"), {"fields": ("review_state", "review_comment", ("reviewed_by", "reviewed_at"))}),
        (_("Record"), {"fields": (("reporter", "submitted_at"),)}),
    )
    inlines = (ReportEvidenceInline,)

    def has_staff_permission(self, request) -> bool:
        return is_staff(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            may_review = is_staff(request) and obj.review_state == ReviewState.SUBMITTED
            extra_context = {**(extra_context or {}), "duban_may_review": may_review}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/review/<str:kind>/", view(self.review_view), name="targets_progressreport_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id, kind):
        """The buttons of a report's page: approve (POST) or return (a page asking for the reason)."""
        if not is_staff(request) or kind not in ("approve", "return"):
            raise PermissionDenied
        report = self.get_object(request, unquote(object_id))
        if report is None:
            raise Http404
        queryset = ProgressReport.objects.filter(pk=report.pk)
        if kind == "approve":
            if request.method != "POST":
                raise PermissionDenied
            self._approve(request, queryset)
        else:
            response = self._return(request, queryset, form_url=request.path)
            if response is not None:
                return response
        return HttpResponseRedirect(reverse("admin:targets_progressreport_change", args=[report.pk]))

    def _approve(self, request, queryset) -> None:
        done, refused = 0, []
        for report in queryset.select_related("item"):
            try:
                review.approve(report, request.user)
                done += 1
            except ValidationError as exc:
                refused.append(f"{report}: {' '.join(exc.messages)}")
        self.message_user(request, ngettext("%(count)d report approved.", "%(count)d reports approved.", done) % {"count": done})
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    def _return(self, request, queryset, *, form_url: str = ""):
        """Return with a comment, after a page asking for it (None when done)."""
        error = None
        if request.POST.get("post") == "yes":
            comment = (request.POST.get("comment") or "").strip()
            if not comment:
                error = _("Say why the report is returned, so the unit can correct it.")
            else:
                done, refused = 0, []
                for report in queryset.select_related("item"):
                    try:
                        review.return_report(report, request.user, comment)
                        done += 1
                    except ValidationError as exc:
                        refused.append(f"{report}: {' '.join(exc.messages)}")
                text = ngettext("%(count)d report returned.", "%(count)d reports returned.", done)
                self.message_user(request, text % {"count": done}, messages.SUCCESS)
                if refused:
                    self.message_user(request, "; ".join(refused), messages.WARNING)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return reports"),
            "opts": self.model._meta,
            "reports": list(queryset.select_related("item", "item__lead_department")),
            "error": error,
            "comment": request.POST.get("comment", ""),
            "form_url": form_url,
            "action_name": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/targets/progressreport/return.html", context)

    @admin.action(description=_("Approve the selected reports"), permissions=["staff"])
    def approve_reports(self, request, queryset):
        self._approve(request, queryset)

    @admin.action(description=_("Return the selected reports with a comment"), permissions=["staff"])
    def return_reports(self, request, queryset):
        return self._return(request, queryset)

    @admin.display(description=_("reporting month"), ordering="period")
    def period_display(self, obj):
        return obj.period.strftime("%Y-%m") if obj.period else None

    @admin.display(description=_("cumulative value"), ordering="value")
    def value_display(self, obj):
        target = getattr(obj.item, "target", None)
        if target is not None:
            return formatting.goal_amount(target, obj.value)
        return formatting.wan(obj.value) if obj.item.kind == ItemKind.PROJECT else formatting.number(obj.value)

    def save_model(self, request, obj, form, change):
        obj.reporter = request.user
        review.entered(obj, request.user)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # 月度锁定: a report dated in a closed month is not deleted (no delete button on its page).
        if obj is not None and not periods_open(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The bulk delete's confirmation page names the closed month and refuses (403 on confirming).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        try:
            periods.check_reports_open(ProgressReport.objects.filter(pk__in=[o.pk for o in objs]).select_related("item"))
        except ValidationError as exc:
            perms_needed = {*perms_needed, " ".join(exc.messages)}
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset):
        periods.check_reports_open(queryset.select_related("item"))  # the confirmation page refused already
        super().delete_queryset(request, queryset)


def periods_open(report: ProgressReport) -> bool:
    try:
        periods.check_report_open(report.item.plan_id, report.as_of, report.period)
    except ValidationError:
        return False
    return True


class MilestoneStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, _request, _model_admin):
        return [("done", _("Done")), ("open", _("Not done")), ("overdue", _("Overdue"))]

    def queryset(self, _request, queryset):
        if self.value() == "done":
            return queryset.filter(actual_date__isnull=False)
        if self.value() == "open":
            return queryset.filter(actual_date__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(actual_date__isnull=True, planned_date__lt=timezone.localdate())
        return queryset


@admin.register(Milestone)
class MilestoneAdmin(EvidenceOnSavedMixin, ItemLinkMixin, UnitScopedAdmin):
    list_display = ("title", "item", "lead_unit", "kind", "planned_date", "actual_date")
    list_filter = (
        MilestoneStateFilter,
        "kind",
        "item__plan",
        "item__kind",
        ("item__lead_department", RelatedOnlyExistsFilter),
        my_unit_filter("item__lead_department_id"),
    )
    list_select_related = ("item", "item__lead_department")
    search_fields = ("title", "item__code", "item__title", "item__lead_department__name")
    date_hierarchy = "planned_date"
    autocomplete_fields = ("fulfils",)
    fieldsets = (
        (None, {"fields": ("item", "kind", "title")}),
        (_("Dates"), {"fields": (("planned_date", "actual_date"),)}),
        (_("Evidence"), {"fields": ("evidence_note",)}),
        (_("Same event as"), {"fields": ("fulfils",)}),
    )
    inlines = (MilestoneEvidenceInline,)

    def get_readonly_fields(self, request, obj=None):
        # The link moves another item's milestone (it takes its date from this one): staff only.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if is_staff(request) else (*readonly, "fulfils")
