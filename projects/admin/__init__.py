"""The major-project register in the admin: each project with its monthly plan, reports, milestones and blockers."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets import formatting
from targets.admin.helpers import TrackedItemAdmin, UnitScopedAdmin
from targets.admin.item_inlines import CheckpointInline, ItemInlineMixin, MilestoneInline, ProgressReportInline
from targets.admin.list_filters import OverdueMilestoneFilter, ReportingFilter, my_unit_filter
from targets.admin.paging import RelatedOnlyExistsFilter
from targets.admin.rollover import YearLinksMixin
from targets.admin.status import BehindFilter, ItemStatusMixin, LightFilter
from targets.choices import ScheduleMode
from targets.headlines import current_plan

from ..choices import LEVEL_FLAGS
from ..models import Blocker, Project
from ..schedule import month_ends
from .exports import ProjectExportMixin
from .imports import ProjectImportMixin

# A project's annual planned investment is the tracked item's target value.
ANNUAL_PLAN_LABEL = _("Annual planned investment (10k yuan)")


class ProjectLevelFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, _request, _model_admin):
        return list(LEVEL_FLAGS)

    def queryset(self, _request, queryset):
        if self.value() in dict(LEVEL_FLAGS):
            return queryset.filter(**{self.value(): True})
        return queryset


class OpenBlockerFilter(admin.SimpleListFilter):
    title = _("blockers")
    parameter_name = "blockers"

    def lookups(self, _request, _model_admin):
        return [("open", _("Has open blockers")), ("none", _("No open blockers"))]

    def queryset(self, _request, queryset):
        open_blockers = Exists(Blocker.objects.filter(project=OuterRef("pk"), resolved_on__isnull=True))
        if self.value() == "open":
            return queryset.filter(open_blockers)
        if self.value() == "none":
            return queryset.exclude(open_blockers)
        return queryset


class MonthlyPlanInline(CheckpointInline):
    """The project's monthly plan (分月计划): cumulative planned investment at each month end."""

    verbose_name = _("monthly plan entry")
    verbose_name_plural = _("Monthly plan")
    field_labels = {"date": _("Month end"), "expected_value": _("Planned cumulative investment (10k yuan)")}

    def prefill_dates(self, obj) -> list[dt.date]:
        """Month ends offered as blank rows while a project has no monthly plan yet."""
        if obj is not None and obj.pk and obj.checkpoints.exists():
            return []
        if obj is not None and obj.period_start and obj.period_end:
            return month_ends(obj.period_start, obj.period_end)
        plan = current_plan()
        if plan is not None:
            return month_ends(plan.period_start, plan.period_end)
        year = timezone.localdate().year
        return month_ends(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def get_formset(self, request, obj=None, **kwargs):
        dates = self.prefill_dates(obj) if self.has_add_permission(request, obj) else []
        if dates:
            kwargs.setdefault("extra", len(dates))
        formset = super().get_formset(request, obj, **kwargs)
        if not dates:
            return formset
        initial = [{"date": date} for date in dates]

        class PrefilledFormSet(formset):
            # Rows left with only their date are unchanged, so they are skipped on save.
            def __init__(self, *args, **kw):
                kw.setdefault("initial", initial)
                super().__init__(*args, **kw)

        return PrefilledFormSet


class ProjectReportInline(ProgressReportInline):
    field_labels = {"value": _("Cumulative completed investment (10k yuan)")}


class BlockerInline(ItemInlineMixin, admin.TabularInline):
    model = Blocker
    fields = ("category", "description", "raised_on", "resolved_on", "measures")


@admin.register(Project)
class ProjectAdmin(ProjectImportMixin, ProjectExportMixin, YearLinksMixin, ItemStatusMixin, TrackedItemAdmin):
    # The money columns first: they are what staff scan for; who and what kind follow.
    list_display = (
        "code",
        "title",
        "status_badge",
        "total_investment_display",
        "annual_plan_display",
        "completed_display",
        "completion_display",
        "latest_report_date_display",
        "lead_department",
        "responsible_leader",
        "level_display",
        "stage",
    )
    list_display_links = ("code", "title")
    list_filter = (
        "plan",
        LightFilter,
        BehindFilter,
        ("lead_department", RelatedOnlyExistsFilter),
        ("responsible_leader", RelatedOnlyExistsFilter),
        "category",
        ProjectLevelFilter,
        "stage",
        "batch_level",
        ReportingFilter,
        OverdueMilestoneFilter,
        OpenBlockerFilter,
        my_unit_filter("lead_department_id"),
    )
    list_select_related = ("plan", "lead_department", "responsible_leader")
    search_fields = ("code", "title", "owner_company", "township", "lead_department__name", "lead_department__short_name")
    search_help_text = _("Search by code, project name, owner, township or lead unit.")
    autocomplete_fields = ("lead_department", "cooperating_departments", "responsible_leader", "contact", "goals")
    readonly_substitutes = {"target_value": "annual_plan_display", "total_investment": "total_investment_display"}
    inlines = (MonthlyPlanInline, ProjectReportInline, MilestoneInline, BlockerInline)
    fieldsets = (
        (None, {"fields": ("plan", "code", "title", "owner_company", "township", ("category", "stage"))}),
        (
            _("Level"),
            {
                "fields": (
                    ("is_provincial_key", "is_provincial_major_industrial", "is_city_key"),
                    ("is_district_key", "is_major"),
                )
            },
        ),
        (
            _("Investment"),
            {"fields": (("total_investment", "target_value"), "land_area", "schedule_mode")},
        ),
        (_("Responsibility"), {"fields": ("lead_department", "cooperating_departments", "responsible_leader", "contact")}),
        (_("Period"), {"fields": (("period_start", "period_end"), ("batch_level", "batch_date"))}),
        (_("In the plan"), {"fields": ("plan_statement", "goals")}),
        (_("Notes"), {"fields": ("notes", "is_demo"), "classes": ("collapse",)}),
        (_("Record"), {"fields": (("created_at", "updated_at"),), "classes": ("collapse",)}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "target_value":
            kwargs["label"] = ANNUAL_PLAN_LABEL
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # Projects are tracked against their monthly plan (分月计划) unless staff choose otherwise.
        initial.setdefault("schedule_mode", ScheduleMode.CHECKPOINTS)
        return initial

    @admin.display(description=_("level"))
    def level_display(self, obj):
        return " / ".join(str(label) for flag, label in LEVEL_FLAGS if getattr(obj, flag)) or None

    @admin.display(description=_("total investment (10k yuan)"), ordering="total_investment")
    def total_investment_display(self, obj):
        return formatting.number(obj.total_investment)

    @admin.display(description=ANNUAL_PLAN_LABEL, ordering="target_value")
    def annual_plan_display(self, obj):
        return formatting.number(obj.target_value)

    @admin.display(description=_("completed investment (10k yuan)"), ordering="latest_value")
    def completed_display(self, obj):
        return formatting.number(obj.latest_value)

    @admin.display(description=_("completion"))
    def completion_display(self, obj):
        return self.percent_of(obj, obj.latest_value)


class BlockerStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, _request, _model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, _request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_on__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_on__isnull=False)
        return queryset


@admin.register(Blocker)
class BlockerAdmin(UnitScopedAdmin):
    item_field = "project"
    list_display = ("short_description", "project", "lead_unit", "category", "raised_on", "resolved_on", "is_open")
    list_filter = (
        BlockerStateFilter,
        "category",
        "project__plan",
        ("project__lead_department", RelatedOnlyExistsFilter),
        my_unit_filter("project__lead_department_id"),
    )
    list_select_related = ("project", "project__lead_department")
    # The model's order by project, on the blocker's own column (index projects_blocker_list_order)
    # rather than through the project's code and plan year (a sort of every blocker on each page).
    ordering = ("project_id", "-raised_on")
    search_fields = ("description", "measures", "project__code", "project__title", "project__lead_department__name")
    date_hierarchy = "raised_on"
    fieldsets = (
        (None, {"fields": ("project", "category", "description")}),
        (_("Handling"), {"fields": (("raised_on", "resolved_on"), "measures")}),
    )

    @admin.display(description=_("description"))
    def short_description(self, obj):
        return obj.description if len(obj.description) <= 40 else obj.description[:40] + "…"

    @admin.display(description=_("lead unit"), ordering="project__lead_department__name")
    def lead_unit(self, obj):
        return obj.project.lead_department

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj):
        return obj.is_open
