"""Serializers of the v1 API. Field lists are a contract: add fields, never rename or drop them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from .. import validation
from ..choices import ItemKind, MetricKind, ProblemCategory, StatusChoice
from ..models import Department, Finding, Milestone, Person, Plan, ProgressReport, SupervisionRound, Target, TrackedItem
from .errors import as_drf

STATUS_FIELDS = ["status", "expected_value", "actual_value", "ratio", "forecast_value", "status_date"]


class FieldsMixin:
    """`?fields=id,code,status` keeps only the named fields (unknown names are ignored)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None and request.method == "GET" else None
        if wanted:
            keep = {name.strip() for name in wanted.split(",")}
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)


class FieldsMixinSchema(OpenApiSerializerExtension):
    """In responses no field is required: `?fields=` (and a finding's `?list=`) leave fields out."""

    target_class = FieldsMixin
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema.pop("required", None)
        return schema


class StatusFieldsMixin(serializers.Serializer):
    """The traffic light and figures of the supervision snapshot (see querysets.with_status)."""

    # Grey, and the figures null, while no supervision run on or before the date has judged the item.
    status = serializers.ChoiceField(choices=StatusChoice.choices, read_only=True, source="snapshot_status")
    expected_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, source="snapshot_expected"
    )
    actual_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, source="snapshot_actual"
    )
    ratio = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="snapshot_ratio")
    forecast_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True, source="snapshot_forecast"
    )
    status_date = serializers.DateField(read_only=True, allow_null=True, source="snapshot_date")


class DepartmentSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "parent", "active"]


class PersonSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "title", "department", "is_leader", "active"]


class PlanSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "year", "title", "period_start", "period_end", "threshold_green", "threshold_red", "threshold_blue"]


class TargetSerializer(FieldsMixin, StatusFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "code",
            "title",
            "metric_kind",
            "unit",
            "comparator",
            "target_value",
            "baseline_value",
            "period_start",
            "period_end",
            "lead_department",
            "responsible_leader",
            "schedule_mode",
            *STATUS_FIELDS,
        ]


class ItemLinkedSerializer(FieldsMixin, serializers.ModelSerializer):
    """Writes take `target` or `project` (one of them); reads show the one that applies."""

    target = serializers.PrimaryKeyRelatedField(
        queryset=TrackedItem.objects.filter(kind=ItemKind.GOAL), required=False, allow_null=True
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=TrackedItem.objects.filter(kind=ItemKind.PROJECT), required=False, allow_null=True
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        kind = instance.item.kind
        if "target" in data:
            data["target"] = instance.item_id if kind == ItemKind.GOAL else None
        if "project" in data:
            data["project"] = instance.item_id if kind == ItemKind.PROJECT else None
        return data

    def validate(self, attrs):
        target, project = attrs.pop("target", None), attrs.pop("project", None)
        if target is not None and project is not None:
            raise serializers.ValidationError({"target": _("Give a goal or a project, not both.")}, code="both_items")
        item = target or project
        if item is None:
            if self.instance is None:
                raise serializers.ValidationError({"target": _("Give a goal or a project.")}, code="item_missing")
        else:
            attrs["item"] = item
        return attrs


class MilestoneSerializer(ItemLinkedSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "target", "project", "title", "kind", "planned_date", "actual_date", "evidence_note"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = validation.actual_date_not_future(attrs.get("actual_date"), timezone.localdate())
        if errors:
            raise as_drf(validation.ValidationError(errors))
        return attrs


class ProgressReportSerializer(ItemLinkedSerializer):
    note = serializers.CharField(source="narrative", required=False, allow_blank=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "target", "project", "as_of", "period", "value", "note", "problems", "correction_reason", "submitted_at"]
        read_only_fields = ["period", "submitted_at"]
        # Uniqueness of (item, as_of) is checked in validate() with its own code.
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        item = attrs.get("item") or self.instance.item
        as_of = attrs.get("as_of", getattr(self.instance, "as_of", None))
        duplicates = ProgressReport.objects.filter(item=item, as_of=as_of)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise serializers.ValidationError(
                {"as_of": [_("A report for this date already exists; correct that report instead.")]}, code="duplicate"
            )
        report = ProgressReport(item=item, as_of=as_of, pk=getattr(self.instance, "pk", None))
        value = attrs.get("value", getattr(self.instance, "value", None))
        errors = validation.progress_report(
            is_yes_no=item.kind == ItemKind.GOAL and Target.objects.filter(pk=item.pk, metric_kind=MetricKind.MILESTONE).exists(),
            value=value,
            as_of=as_of,
            today=timezone.localdate(),
            period_start=item.period_start,
            period_end=item.period_end,
            previous_value=report.previous_value(),
            correction_reason=attrs.get("correction_reason", getattr(self.instance, "correction_reason", "")),
        )
        if errors:
            raise as_drf(validation.ValidationError(errors))
        return attrs

    def save(self, **kwargs):
        # Two clients posting the same (item, as_of) at once: the constraint decides, still a 400.
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as exc:
            raise serializers.ValidationError(
                {"as_of": [_("A report for this date already exists; correct that report instead.")]}, code="duplicate"
            ) from exc


# The three lists (三清单): ?list= narrows a finding to the contract fields plus one list's fields.
FINDING_CORE = ["id", "target", "project", "milestone", "cause", "level", "state", "department", "deadline", "ready_to_close"]
FINDING_LISTS = {
    "problem": [
        "category",
        "description",
        "problems",
        "opened_on",
        "light_when_found",
        "expected",
        "actual",
        "gap",
        "days_overdue",
        "source",
    ],
    "responsibility": ["responsible_leader", "cooperating_departments", "contact"],
    "rectification": [
        "measures",
        "original_deadline",
        "evidence",
        "closure_requested_on",
        "verified_by",
        "verification_note",
        "closed_on",
    ],
}


class FindingSerializer(ItemLinkedSerializer):
    # Blank until staff classify the problem (the model field is blank=True).
    category = serializers.ChoiceField(choices=ProblemCategory.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Finding
        fields = [*FINDING_CORE, *(name for names in FINDING_LISTS.values() for name in names)]
        read_only_fields = fields

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        chosen = request.query_params.get("list") if request is not None else None
        if chosen in FINDING_LISTS:
            keep = {*FINDING_CORE, *FINDING_LISTS[chosen]}
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)


class SupervisionRoundSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = SupervisionRound
        fields = ["id", "plan", "number", "date", "title", "kind", "issuing_office"]
