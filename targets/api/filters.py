"""django-filter sets of the v1 API."""

# ruff: noqa: ARG002 - DRF and admin hooks have fixed signatures
from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework import filters as drf_filters

from ..choices import ItemKind, ReviewState
from ..models import Department, Finding, Milestone, ProgressReport, Target

_GENERATED: dict = {}  # (view class, model) -> the FilterSet class django-filter made for filterset_fields


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request filters on nothing, with generated filter sets reused.

    Binding and validating a filter set's form (a form field per filter, choices normalised, model
    choice querysets set up) cost about a millisecond per request even with no filter given; with no
    filter parameter the filter set would return the queryset as it is. A view's `filterset_fields`
    made django-filter build a new FilterSet class on every request.
    """

    def filter_queryset(self, request, queryset, view):
        # Skipped only when no parameter names one of the view's filters: a name such as as_of is
        # a filter on progress reports and only a date to answer at elsewhere.
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or filterset_class.base_filters.keys().isdisjoint(request.query_params.keys()):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        if key not in _GENERATED:
            _GENERATED[key] = super().get_filterset_class(view, queryset)
        return _GENERATED[key]


class OrderingFilter(drf_filters.OrderingFilter):
    """?ordering= with the id as the last key: rows with equal values keep one order from page to page.

    Without it PostgreSQL may return ties in a different order for each page's query (it did for
    ?ordering=-opened_on on findings), so paging through could show a row twice and skip another.
    """

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = self.terms(view, queryset)
            unknown = [term.strip() for term in raw.split(",") if term.strip() not in allowed]
            if unknown:
                message = _("Unknown ordering %(terms)s; use one of: %(allowed)s.") % {
                    "terms": ", ".join(unknown),
                    "allowed": ", ".join(allowed),
                }
                raise exceptions.ValidationError({self.ordering_param: [message]}, code="invalid_ordering")
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or not raw:
            return ordering
        if {term.lstrip("-") for term in ordering} & {"id", "pk"}:
            return ordering
        return [*ordering, "pk"]

    def terms(self, view, queryset=None) -> list[str]:
        """The values ?ordering= takes: each ordering field, ascending or descending (-)."""
        names = [name for name, _label in self.get_valid_fields(queryset, view, {"request": getattr(view, "request", None)})]
        return [term for name in names for term in (name, f"-{name}")]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "排序字段，前加 `-` 为降序，可用逗号组合多个；未知字段返回 400。"
                    "Order by this field (`-` for descending); several may be joined by commas; an unknown one is a 400."
                ),
                "schema": {
                    "type": "string",
                    "enum": (terms := self.terms(view, view.get_queryset())),
                    # Names for generated enum members: CODE, CODE_DESC … (not VALUE_1).
                    "x-enum-varnames": [t.removeprefix("-").upper() + ("_DESC" if t.startswith("-") else "") for t in terms],
                },
            }
        ]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An id: a whole number in the form and the schema (NumberFilter takes decimals)."""

    field_class = forms.IntegerField


class DepartmentFilter(filters.FilterSet):
    name_contains = filters.CharFilter(field_name="name", lookup_expr="contains")

    class Meta:
        model = Department
        fields = ["name", "kind", "active", "parent"]


class TargetFilter(filters.FilterSet):
    class Meta:
        model = Target
        fields = ["plan", "code", "metric_kind", "lead_department", "responsible_leader", "schedule_mode"]


class ItemLinkedFilter(filters.FilterSet):
    """`?target=` and `?project=` both filter on the shared item id."""

    target = IdFilter(method="filter_target")
    project = IdFilter(method="filter_project")

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
    review_state = filters.ChoiceFilter(choices=ReviewState.choices)

    class Meta:
        model = ProgressReport
        fields = ["as_of", "review_state"]


class FindingFilter(ItemLinkedFilter):
    leader = IdFilter(field_name="responsible_leader")
    # Chooses the fields (FindingSerializer), not the rows.
    list = filters.ChoiceFilter(
        choices=[("problem", "problem"), ("responsibility", "responsibility"), ("rectification", "rectification")],
        method="choose_list",
    )

    def choose_list(self, queryset, name, value):
        return queryset

    class Meta:
        model = Finding
        fields = ["state", "level", "department", "cause", "source"]
