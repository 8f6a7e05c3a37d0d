"""Serializers of the projects endpoints. Field lists are a contract: add fields, never rename or drop them."""

from __future__ import annotations

from rest_framework import serializers

from targets import validation
from targets.api.errors import as_drf
from targets.api.serializers import STATUS_FIELDS, FieldsMixin, StatusFieldsMixin

from ..models import Blocker, Project


class ProjectSerializer(FieldsMixin, StatusFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="title", read_only=True)
    annual_plan_investment = serializers.DecimalField(
        max_digits=17, decimal_places=3, source="target_value", read_only=True, allow_null=True
    )

    # 年度结转: the same project in last year's plan (id or null).
    previous = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "plan",
            "code",
            "name",
            "lead_department",
            "category",
            "stage",
            "total_investment",
            "annual_plan_investment",
            "owner_company",
            "township",
            "period_start",
            "period_end",
            "previous",
            "completed_before",
            *STATUS_FIELDS,
        ]


class BlockerSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Blocker
        fields = ["id", "project", "category", "description", "raised_on", "resolved_on", "measures"]

    def validate(self, attrs):
        raised = attrs.get("raised_on", getattr(self.instance, "raised_on", None))
        resolved = attrs.get("resolved_on", getattr(self.instance, "resolved_on", None))
        errors = validation.period_order(raised, resolved, end_field="resolved_on")
        if errors:
            raise as_drf(validation.ValidationError(errors))
        return attrs
