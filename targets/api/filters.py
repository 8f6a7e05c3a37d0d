"""django-filter sets of the v1 API."""

# ruff: noqa: ARG002 - DRF and admin hooks have fixed signatures
from __future__ import annotations

import django_filters as filters

from ..choices import ItemKind
from ..models import Finding, Milestone, ProgressReport, Target


class TargetFilter(filters.FilterSet):
    class Meta:
        model = Target
        fields = ["plan", "code", "metric_kind", "lead_department", "responsible_leader", "schedule_mode"]


class ItemLinkedFilter(filters.FilterSet):
    """`?target=` and `?project=` both filter on the shared item id."""

    target = filters.NumberFilter(method="filter_target")
    project = filters.NumberFilter(method="filter_project")

    def filter_target(self, queryset, name, value):
        return queryset.filter(item_id=value, item__kind=ItemKind.GOAL)

    def filter_project(self, queryset, name, value):
        return queryset.filter(item_id=value, item__kind=ItemKind.PROJECT)


class MilestoneFilter(ItemLinkedFilter):
    class Meta:
        model = Milestone
        fields = ["kind"]


class ProgressReportFilter(ItemLinkedFilter):
    as_of_after = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = ProgressReport
        fields = ["as_of"]


class FindingFilter(ItemLinkedFilter):
    leader = filters.NumberFilter(field_name="responsible_leader")
    # Chooses the fields (FindingSerializer), not the rows.
    list = filters.ChoiceFilter(
        choices=[("problem", "problem"), ("responsibility", "responsibility"), ("rectification", "rectification")],
        method="choose_list",
    )

    def choose_list(self, queryset, name, value):
        return queryset

    class Meta:
        model = Finding
        fields = ["state", "level", "department", "cause"]
