"""The bureau's main screen for the plan: units, people, plans, goals, milestones and progress reports."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import formatting, rollups
from .admin_exports import TargetExportMixin
from .admin_helpers import (
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
    my_unit_filter,
)
from .admin_status import BehindFilter, ItemStatusMixin, LightFilter
from .choices import ActualSource, ItemKind
from .figures_cache import cached
from .headlines import plan_as_of
from .models import Baseline, Department, Milestone, Person, Plan, ProgressReport, Target


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
    list_display = ("name", "title", "department", "phone", "email", "is_leader", "user", "active")
    list_filter = ("is_leader", "active", ("department", admin.RelatedOnlyFieldListFilter), "is_demo")
    list_select_related = ("department", "user")
    search_fields = ("name", "title", "phone", "department__name", "department__short_name")
    autocomplete_fields = ("department",)
    fieldsets = (
        (None, {"fields": ("name", "title", "department", "is_leader")}),
        (_("Contact"), {"fields": ("phone", "email")}),
        (_("Login"), {"fields": ("user",), "description": _("Link a login to let this person report for the unit.")}),
        (_("Status"), {"fields": ("active", "is_demo")}),
    )


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
        (_("Reporting"), {"fields": ("report_due_day", "due_soon_days")}),
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
class TargetAdmin(TargetExportMixin, ItemStatusMixin, TrackedItemAdmin):
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
        ("lead_department", admin.RelatedOnlyFieldListFilter),
        ("responsible_leader", admin.RelatedOnlyFieldListFilter),
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
    readonly_fields = ("target_display", "created_at", "updated_at")
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
            {"fields": (("period_start", "period_end"), "schedule_mode", ("actual_source", "rollup"), "evaluation_note")},
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


def attach_actuals(targets) -> None:
    """Give each goal of a list page its actual value: roll-ups computed once per plan, not per row."""
    computed: dict[int, dict] = {}
    for target in targets:
        if target.actual_source == ActualSource.ROLLUP and target.rollup:
            if target.plan_id not in computed:
                as_of = plan_as_of(target.plan)
                # The register's roll-ups, kept a while like the admin home's (the same cache entry).
                computed[target.plan_id] = cached(
                    f"rollups:{as_of.isoformat()}",
                    target.plan,
                    lambda plan=target.plan, day=as_of: rollups.compute_all(plan, day),
                )
            target.duban_actual = computed[target.plan_id].get(target.rollup)


def actual_of(target):
    """A goal's current value: its roll-up (set by attach_actuals) or its latest report."""
    if target.actual_source == ActualSource.ROLLUP:
        return getattr(target, "duban_actual", None)
    return getattr(target, "latest_value", None)


class ItemLinkMixin:
    """List columns for rows that belong to an item (reports, milestones)."""

    @admin.display(description=_("lead unit"), ordering="item__lead_department__name")
    def lead_unit(self, obj):
        return obj.item.lead_department


@admin.register(ProgressReport)
class ProgressReportAdmin(ItemLinkMixin, UnitScopedAdmin):
    form = ProgressReportForm
    list_display = ("item", "lead_unit", "period_display", "as_of", "value_display", "reporter", "submitted_at")
    list_filter = (
        "item__plan",
        "item__kind",
        ("item__lead_department", admin.RelatedOnlyFieldListFilter),
        my_unit_filter("item__lead_department_id"),
    )
    list_select_related = ("item", "item__lead_department", "item__target", "reporter")
    search_fields = ("item__code", "item__title", "item__lead_department__name", "narrative", "problems")
    search_help_text = _("Search by item code or name, unit, or the report's text.")
    date_hierarchy = "as_of"
    readonly_fields = ("reporter", "submitted_at")
    fieldsets = (
        (None, {"fields": ("item", ("as_of", "period"), "value")}),
        (_("Progress"), {"fields": ("narrative", "problems")}),
        (_("Correction"), {"fields": ("correction_reason",)}),
        (_("Record"), {"fields": (("reporter", "submitted_at"),)}),
    )

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
        super().save_model(request, obj, form, change)


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
class MilestoneAdmin(ItemLinkMixin, UnitScopedAdmin):
    list_display = ("title", "item", "lead_unit", "kind", "planned_date", "actual_date")
    list_filter = (
        MilestoneStateFilter,
        "kind",
        "item__plan",
        "item__kind",
        ("item__lead_department", admin.RelatedOnlyFieldListFilter),
        my_unit_filter("item__lead_department_id"),
    )
    list_select_related = ("item", "item__lead_department")
    search_fields = ("title", "item__code", "item__title", "item__lead_department__name")
    date_hierarchy = "planned_date"
    fieldsets = (
        (None, {"fields": ("item", "kind", "title")}),
        (_("Dates"), {"fields": (("planned_date", "actual_date"),)}),
        (_("Evidence"), {"fields": ("evidence_note", "attachment")}),
    )


# The supervision pages (findings, rounds, runs, overrides) and the API tokens (admin_api)
# register themselves on import.
from . import admin_api, admin_supervision  # noqa: E402, F401
