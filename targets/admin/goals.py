"""Goals (目标指标) in the admin: the goal list with its lights, actual figures and export, and a goal's page."""

# Django's admin hooks have fixed signatures.
# ruff: noqa: ARG002

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import formatting, rollups
from ..choices import ActualSource
from ..explain import explain
from ..headlines import actual_of, attach_actuals
from ..models import Baseline, Target, TrackedItem
from .exports import TargetExportMixin
from .helpers import TrackedItemAdmin, is_staff
from .item_inlines import CheckpointInline, ItemInlineMixin, MilestoneInline, ProgressReportInline
from .list_filters import ModalityFilter, OverdueMilestoneFilter, ReportingFilter, my_unit_filter
from .paging import RelatedOnlyExistsFilter
from .rollover import PublishGoalsMixin, YearLinksMixin
from .status import BehindFilter, ItemStatusMixin, LightFilter


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


# The item picker: autocomplete fields need an admin for TrackedItem.
@admin.register(TrackedItem)
class TrackedItemLookupAdmin(admin.ModelAdmin):
    """Search goals and projects together (for autocomplete fields); not listed on the home page."""

    list_display = ("code", "title", "kind", "plan", "lead_department")
    list_select_related = ("plan", "lead_department")
    search_fields = ("code", "title")
    ordering = ("-plan__year", "code")

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a goal or project (staff) cascades to its item row: allowed with the goal's own rule.
        return is_staff(request) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        return {}
