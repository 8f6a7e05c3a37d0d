"""Viewsets of the projects endpoints (the targets API never imports this app)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from targets.api.views import AS_OF, FIELDS, AsOfMixin, ItemLinkedViewSet, ReadViewSet

from ..models import Blocker, Project
from .serializers import BlockerSerializer, ProjectSerializer


@extend_schema_view(list=extend_schema(parameters=[AS_OF, FIELDS]), retrieve=extend_schema(parameters=[AS_OF]))
class ProjectViewSet(AsOfMixin, ReadViewSet):
    # (plan_id, code) walks the unique index; the model's ordering (plan -year, code) sorts all rows.
    queryset = Project.objects.order_by("plan_id", "code")
    serializer_class = ProjectSerializer
    filterset_fields = ["plan", "code", "category", "stage", "lead_department", "is_district_key"]
    ordering_fields = ["code", "id", "total_investment"]


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class BlockerViewSet(ItemLinkedViewSet):
    queryset = Blocker.objects.select_related("project")
    serializer_class = BlockerSerializer
    filterset_fields = ["project", "category"]
    ordering_fields = ["raised_on", "id"]
    item_keys = ("project",)

    def get_item(self, obj):
        return obj.project

    def check_item(self, serializer) -> None:
        project = serializer.validated_data.get("project")
        if project is not None:
            serializer.validated_data["item"] = project
            super().check_item(serializer)
            serializer.validated_data.pop("item")
