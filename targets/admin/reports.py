"""The bureau's main screen for the plan: units, people, plans, goals, milestones and progress reports."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import formatting, periods, review, rollups
from ..choices import ActualSource, ItemKind, ReviewState
from ..explain import explain
from ..headlines import actual_of, attach_actuals
from ..models import Baseline, Department, Milestone, Person, Plan, ProgressReport, Target
from ..permissions import is_bureau_staff, user_department_id
from .evidence import EvidenceOnSavedMixin, MilestoneEvidenceInline, ReportEvidenceInline
from .exports import TargetExportMixin
from .helpers import (
    CheckpointInline,
    DubanAdmin,
    ItemInlineMixin,
    MilestoneInline,
    ModalityFilter,
    OverdueMilestoneFilter,
    ProgressReportForm,
    ProgressReportInline,
    ReportingFilter,
    StaffWriteMixin,
    TrackedItemAdmin,
    UnitScopedAdmin,
    is_staff,
    my_unit_filter,
)
from .paging import RelatedOnlyExistsFilter, distinct_desc
from .rollover import PublishGoalsMixin, YearLinksMixin
from .status import BehindFilter, ItemStatusMixin, LightFilter


@admin.register(Department)
class DepartmentAdmin(DubanAdmin):
    list_display = ("name", "short_name", "kind", "parent", "head", "item_count", "active")
    list_filter = ("kind", "active", "is_demo")
    list_select_related = ("parent", "head")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "head")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "parent", "head")}),
        (_("Status"), {"fields": ("active", "is_demo")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(duban_item_count=Count("led_items", distinct=True))

    @admin.display(description=_("items led"), ordering="duban_item_count")
    def item_count(self, obj):
        return obj.duban_item_count


@admin.register(Person)
class PersonAdmin(DubanAdmin):
    """Units see names and roles; phone and e-mail only of their own unit's people (least privilege)."""

    list_display = ("name", "title", "department", "phone", "email", "is_leader", "user", "active")
    list_filter = ("is_leader", "active", ("department", RelatedOnlyExistsFilter), "is_demo")
    list_select_related = ("department", "user")
    search_fields = ("name", "title", "phone", "department__name", "department__short_name")
    autocomplete_fields = ("department",)
    fieldsets = (
        (None, {"fields": ("name", "title", "department", "is_leader")}),
        (_("Contact"), {"fields": ("phone", "email")}),
        (_("Login"), {"fields": ("user",), "description": _("Link a login to let this person report for the unit.")}),
        (_("Status"), {"fields": ("active", "is_demo")}),
    )
    contact_fields = ("phone", "email")

    def shows_contact(self, request, obj=None) -> bool:
        if is_bureau_staff(request.user):
            return True
        department_id = user_department_id(request.user)
        return obj is not None and department_id is not None and obj.department_id == department_id

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if is_bureau_staff(request.user) else [f for f in shown if f not in self.contact_fields]

    def get_search_fields(self, request):
        shown = super().get_search_fields(request)
        return shown if is_bureau_staff(request.user) else [f for f in shown if f not in self.contact_fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.shows_contact(request, obj):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if not set(opts["fields"]) & set(self.contact_fields)]

    def history_view(self, request, object_id, extra_context=None):
        # A person's history holds every earlier phone and e-mail.
        if not self.shows_contact(request, self.get_object(request, unquote(object_id))):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.shows_contact(request, self.get_object(request, unquote(object_id))):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Plan)
class PlanAdmin(DubanAdmin):
    list_display = (
        "year",
        "title",
        "period_start",
        "period_end",
        "goal_count",
        "project_count",
        "threshold_green",
        "threshold_red",
    )
    search_fields = ("title", "source")
    fieldsets = (
        (None, {"fields": ("year", "title", "source", ("period_start", "period_end"))}),
        (
            _("Status thresholds"),
            {
                "fields": ("threshold_green", "threshold_red", "threshold_blue"),
                "description": _("Ratio of the actual to the expected value to date (序时进度)."),
            },
        ),
        (_("Reporting"), {"fields": ("report_due_day", "due_soon_days", "reports_need_review")}),
        (
            _("findings"),
            {
                "fields": (
                    ("finding_deadline_workdays", "reply_workdays"),
                    ("escalate_warning_days", "escalate_supervision_days"),
                    "recheck_days",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                duban_goals=Count("items", filter=Q(items__kind=ItemKind.GOAL)),
                duban_projects=Count("items", filter=Q(items__kind=ItemKind.PROJECT)),
            )
        )

    @admin.display(description=_("goals"), ordering="duban_goals")
    def goal_count(self, obj):
        return obj.duban_goals

    @admin.display(description=_("projects"), ordering="duban_projects")
    def project_count(self, obj):
        return obj.duban_projects


@admin.register(Baseline)
class BaselineAdmin(StaffWriteMixin, admin.ModelAdmin):
    # Baseline has no HistoricalRecords, so this page keeps Django's own change log only.
    list_display = ("code", "short_text", "value_text", "unit", "year", "plan")
    list_filter = ("plan", "year")
    list_select_related = ("plan",)
    search_fields = ("code", "text", "gloss_en")
    autocomplete_fields = ("targets",)
    fieldsets = (
        (None, {"fields": ("plan", "code", "year", "section_ref")}),
        (_("Figure"), {"fields": ("text", "gloss_en", "value", "value_text", "unit", "notes")}),
        (_("Goals it informs"), {"fields": ("targets",)}),
    )

    class Media:
        css = {"all": ["duban/admin.css"]}

    @admin.display(description=_("source text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 60 else obj.text[:60] + "…"


class BaselineInline(ItemInlineMixin, admin.TabularInline):
    model = Baseline.targets.through
    autocomplete_fields = ("baseline",)
    # The auto-created through model's column would read its untranslated field name.
    field_labels = {"baseline": _("baseline")}
    verbose_name = _("baseline")
    verbose_name_plural = _("baselines")


@admin.register(Target)
class TargetAdmin(PublishGoalsMixin, TargetExportMixin, YearLinksMixin, ItemStatusMixin, TrackedItemAdmin):
    list_display = (
        "code",
        "title",
        "status_badge",
        "target_display",
        "actual_display",
        "completion_display",
        "latest_report_date_display",
        "lead_department",
        "responsible_leader",
        "modality",
    )
    list_display_links = ("code", "title")
    list_filter = (
        "plan",
        LightFilter,
        BehindFilter,
        ("lead_department", RelatedOnlyExistsFilter),
        ("responsible_leader", RelatedOnlyExistsFilter),
        "metric_kind",
        ModalityFilter,
        "actual_source",
        "is_headline",
        ReportingFilter,
        OverdueMilestoneFilter,
        my_unit_filter("lead_department_id"),
    )
    list_select_related = ("plan", "lead_department", "responsible_leader")
    search_fields = ("code", "title", "lead_department__name", "lead_department__short_name")
    search_help_text = _("Search by code, name or lead unit.")
    autocomplete_fields = ("lead_department", "cooperating_departments", "responsible_leader", "contact", "parent")
    readonly_fields = ("target_display", "judging_explained", "rollup_pool", "created_at", "updated_at")
    readonly_substitutes = {"target_value": "target_value_display", "baseline_value": "baseline_value_display"}
    inlines = (ProgressReportInline, MilestoneInline, CheckpointInline, BaselineInline)
    fieldsets = (
        (None, {"fields": ("plan", "code", "title", "parent", "section_ref")}),
        (
            _("Target"),
            {
                "fields": (
                    "metric_kind",
                    ("comparator", "target_value", "unit", "show_in_yi"),
                    "target_display",
                    "target_text",
                    "modality",
                )
            },
        ),
        (_("Responsibility"), {"fields": ("lead_department", "cooperating_departments", "responsible_leader", "contact")}),
        (
            _("Tracking"),
            {
                "fields": (
                    ("period_start", "period_end"),
                    "schedule_mode",
                    ("actual_source", "rollup"),
                    "rollup_pool",
                    "evaluation_note",
                )
            },
        ),
        (
            _("How this goal is judged"),
            {
                "fields": (
                    ("judging_kind", "cadence", "publication_lag_days"),
                    ("curve", "tolerance"),
                    "judging_explained",
                )
            },
        ),
        (_("Baseline"), {"fields": (("baseline_value", "baseline_date"), "baseline_note"), "classes": ("collapse",)}),
        (_("Home page"), {"fields": (("is_headline", "headline_order"),), "classes": ("collapse",)}),
        (_("Source"), {"fields": ("source_text", "gloss_en", "confidence", "notes"), "classes": ("collapse",)}),
        (_("Record"), {"fields": (("created_at", "updated_at"),), "classes": ("collapse",)}),
    )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        attach_actuals(changelist.result_list)
        return changelist

    @admin.display(description=_("target"))
    def target_display(self, obj):
        return formatting.goal_target(obj)

    @admin.display(description=_("in plain words"))
    def judging_explained(self, obj):
        if obj is None or obj.pk is None:
            return formatting.EMPTY
        checkpoints = list(obj.checkpoints.order_by("date").values_list("date", "expected_value"))
        milestones = list(obj.milestones.order_by("planned_date", "pk").values_list("title", "planned_date"))
        lines = explain(obj, checkpoints, milestones, timezone.localdate())
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines))
        )

    @admin.display(description=_("roll-up pool"))
    def rollup_pool(self, obj):
        """What the goal's roll-up counts, so staff can check it is the pool the plan means."""
        if obj is None or obj.actual_source != ActualSource.ROLLUP or not obj.rollup:
            return formatting.EMPTY
        return rollups.pool(obj.rollup) or formatting.EMPTY

    @admin.display(description=_("target value"))
    def target_value_display(self, obj):
        return formatting.goal_amount(obj, obj.target_value)

    @admin.display(description=_("baseline value"))
    def baseline_value_display(self, obj):
        return formatting.goal_amount(obj, obj.baseline_value)

    @admin.display(description=_("actual"))
    def actual_display(self, obj):
        return formatting.goal_amount(obj, actual_of(obj))

    @admin.display(description=_("completion"))
    def completion_display(self, obj):
        return self.percent_of(obj, actual_of(obj))


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
