"""List filters shared by the goal, project, report and finding lists: my unit, reporting, overdue milestones, modality."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Milestone
from ..permissions import user_department_id

# --- List filters ----------------------------------------------------------------------------------


def my_unit_filter(path: str):
    """A filter "only my unit's items", shown to users linked to a unit. path leads to lead_department_id."""

    class MyUnitFilter(admin.SimpleListFilter):
        title = _("my unit")
        parameter_name = "mine"

        def lookups(self, request, _model_admin):
            if user_department_id(request.user) is None:
                return []
            return [("1", _("Only my unit's items"))]

        def queryset(self, request, queryset):
            if self.value() == "1":
                return queryset.filter(**{path: user_department_id(request.user)})
            return queryset

    return MyUnitFilter


class ReportingFilter(admin.SimpleListFilter):
    """Who still owes this month's report (uses the latest_report_date annotation)."""

    title = _("progress report")
    parameter_name = "reported"

    def lookups(self, _request, _model_admin):
        return [
            ("this_month", _("Reported this month")),
            ("missing", _("No report this month")),
            ("never", _("Never reported")),
        ]

    def queryset(self, _request, queryset):
        start = timezone.localdate().replace(day=1)
        if self.value() == "this_month":
            return queryset.filter(latest_report_date__gte=start)
        if self.value() == "missing":
            return queryset.filter(Q(latest_report_date__lt=start) | Q(latest_report_date__isnull=True))
        if self.value() == "never":
            return queryset.filter(latest_report_date__isnull=True)
        return queryset


class OverdueMilestoneFilter(admin.SimpleListFilter):
    title = _("milestones")
    parameter_name = "milestones"

    def lookups(self, _request, _model_admin):
        return [("overdue", _("Has an overdue milestone")), ("on_time", _("No overdue milestone"))]

    def queryset(self, _request, queryset):
        overdue = Exists(
            Milestone.objects.filter(item=OuterRef("pk"), planned_date__lt=timezone.localdate(), actual_date__isnull=True)
        )
        if self.value() == "overdue":
            return queryset.filter(overdue)
        if self.value() == "on_time":
            return queryset.exclude(overdue)
        return queryset


class ModalityFilter(admin.SimpleListFilter):
    """The plan's commitment words (确保, 力争 …) as written: free text, so offer the values in use."""

    title = _("commitment word")
    parameter_name = "modality"

    def lookups(self, _request, model_admin):
        values = (
            model_admin.model._default_manager.exclude(modality="")
            .order_by("modality")
            .values_list("modality", flat=True)
            .distinct()
        )
        return [(value, value) for value in values]

    def queryset(self, _request, queryset):
        if self.value():
            return queryset.filter(modality=self.value())
        return queryset
