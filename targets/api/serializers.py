"""Serializers of the v1 API. Field lists are a contract: add fields, never rename or drop them.

Over 400 lines on purpose: every v1 serializer beside the shared field-building base they reuse, so a
contract change is reviewed in one file.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from .. import periods, three_lists_columns, validation
from ..choices import ItemKind, MetricKind, ProblemCategory, RecheckResult, StatusChoice
from ..models import Department, Finding, Milestone, Person, Plan, ProgressReport, SupervisionRound, Target, TrackedItem
from .errors import as_drf

STATUS_FIELDS = ["status", "expected_value", "actual_value", "ratio", "forecast_value", "status_date", "status_reason"]
STATUS_REASONS = [
    ("no_run", "no supervision run on or before the date"),
    ("not_judged", "no run on or before the date judged this item"),
]


# Field classes whose to_representation is the identity for the Python type the database returns.
PASS_THROUGH = {serializers.CharField: str, serializers.IntegerField: int, serializers.BooleanField: bool}
# ModelSerializer fields built from Meta, per serializer class (see FieldsMixin.get_fields).
_BUILT_FIELDS: dict[type, dict] = {}


class FieldsMixin:
    """`?fields=id,code,status` keeps only the named fields and the id (unknown names are ignored)."""

    # (The docstring above is the schema's description of every serializer.) Also the API's fast
    # paths, the same output for less CPU on every list page: the fields ModelSerializer builds from
    # the model's meta are built once per class and copied (DRF rebuilds them for every serializer),
    # and to_representation reads plain columns and attributes straight off the row instead of DRF's
    # generic attribute walk per field and row.

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None and request.method == "GET" else None
        if wanted:
            keep = {"id", *(name.strip() for name in wanted.split(","))}
            for name in list(self.fields):
                if name not in keep:
                    self.fields.pop(name)

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        # Text lengths and date bounds, shared with the admin and the imports (targets.validation).
        errors = validation.field_bounds(self.Meta.model, attrs)
        if errors:
            names = {field.source: name for name, field in self.fields.items()}
            raise as_drf(validation.ValidationError({names.get(k, k): v for k, v in errors.items()}))
        return attrs

    def get_fields(self):
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            built = _BUILT_FIELDS[type(self)] = super().get_fields()
        return copy.deepcopy(built)

    @cached_property
    def _representation_plan(self) -> list[tuple]:
        """(name, attname, field, pass-through type, converter) per readable field, in output order.

        attname None: the converter reads the whole row (read_row), or without one DRF's walk does.
        """
        model_fields = {f.name: f for f in self.Meta.model._meta.concrete_fields}
        plan = []
        for field in self._readable_fields:
            model_field = model_fields.get(field.source) if len(field.source_attrs) == 1 else None
            if hasattr(field, "read_row"):  # the field reads its value off the row itself (ItemField)
                plan.append((field.field_name, None, field, None, field.read_row))
            elif len(field.source_attrs) != 1 or (model_field is not None and model_field.is_relation):
                if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field is None and model_field:
                    # A primary key related field shows the key: the id column, no row fetched.
                    plan.append((field.field_name, model_field.attname, field, object, None))
                else:
                    plan.append((field.field_name, None, field, None, None))
            else:
                # A column, or an annotation or attribute set on the row (snapshot_*) when present.
                attname = model_field.attname if model_field is not None else field.source
                plan.append((field.field_name, attname, field, PASS_THROUGH.get(type(field)), converter(field)))
        return plan

    def to_representation(self, instance):
        ret = {}
        values = instance.__dict__
        for name, attname, field, same, convert in self._representation_plan:
            if attname is None and convert is not None:
                ret[name] = convert(instance)
                continue
            if attname is None or attname not in values:  # deferred, a property, a relation: DRF's way
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check is None else field.to_representation(attribute)
                continue
            value = values[attname]
            if value is None:
                ret[name] = None
            elif same is object or type(value) is same:
                ret[name] = value
            else:
                ret[name] = convert(value)
        return ret


def converter(field):
    """field.to_representation, or a shortcut with the same output for a decimal already to scale."""
    if not isinstance(field, serializers.DecimalField) or field.decimal_places is None or field.max_digits is None:
        return field.to_representation
    if field.localize or not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING):
        return field.to_representation
    places, digits = field.decimal_places, field.max_digits

    def decimal_text(value):
        # A numeric(…, places) column comes back at that scale: DRF's quantize (a context copy and
        # a power per value) would change nothing; the format is DRF's own.
        if type(value) is Decimal:
            _sign, value_digits, exponent = value.as_tuple()
            if exponent == -places and len(value_digits) <= digits:
                return f"{value:f}"
        return field.to_representation(value)

    return decimal_text


class FieldsMixinSchema(OpenApiSerializerExtension):
    """In responses every field is required (nullable ones are present as null).

    `?fields=` (and a finding's `?list=`) answer a documented subset, always with the id.
    """

    target_class = FieldsMixin
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["required"] = list(schema.get("properties", {}))
        return schema


class StatusFieldsMixin(serializers.Serializer):
    """The traffic light and figures of the supervision snapshot (see querysets.with_status)."""

    # Grey, and the figures null, while no supervision run on or before the date has judged the item.
    # Figures keep the models' three decimals (the plan's numbers exactly: 98.392 公里).
    status = serializers.ChoiceField(choices=StatusChoice.choices, read_only=True, source="snapshot_status")
    expected_value = serializers.DecimalField(
        max_digits=17, decimal_places=3, read_only=True, allow_null=True, source="snapshot_expected"
    )
    actual_value = serializers.DecimalField(
        max_digits=17, decimal_places=3, read_only=True, allow_null=True, source="snapshot_actual"
    )
    ratio = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="snapshot_ratio")
    forecast_value = serializers.DecimalField(
        max_digits=17, decimal_places=3, read_only=True, allow_null=True, source="snapshot_forecast"
    )
    status_date = serializers.DateField(read_only=True, allow_null=True, source="snapshot_date")
    # Null when a run judged the item; else why the status is grey and the figures null.
    status_reason = serializers.ChoiceField(choices=STATUS_REASONS, read_only=True, allow_null=True, source="snapshot_reason")


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
    # 年度结转: the same goal in last year's plan (id or null); a copied goal is a draft until published.
    previous = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

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
            # How the goal is judged (docs/judging.md), read-only like the whole goal.
            "judging_kind",
            "cadence",
            "publication_lag_days",
            "curve",
            "tolerance",
            "previous",
            "is_draft",
            *STATUS_FIELDS,
        ]


class ItemField(serializers.PrimaryKeyRelatedField):
    """`target` or `project` of a row of an item: an item of that kind on input; its id, or null, on output."""

    def __init__(self, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(queryset=TrackedItem.objects.filter(kind=kind), required=False, allow_null=True, **kwargs)

    def read_row(self, instance):
        # A view may set item_kind (FindingViewSet) instead of fetching every item's row.
        kind = instance.__dict__.get("item_kind") or instance.item.kind
        return instance.item_id if kind == self.kind else None


class ItemLinkedSerializer(FieldsMixin, serializers.ModelSerializer):
    """Writes take `target` or `project` (one of them); reads show the one that applies."""

    target = ItemField(ItemKind.GOAL)
    project = ItemField(ItemKind.PROJECT)

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
    # The goal's milestone this one is the same event as (null: none); staff set it, as in the admin.
    fulfils = serializers.PrimaryKeyRelatedField(queryset=Milestone.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Milestone
        fields = ["id", "target", "project", "title", "kind", "planned_date", "actual_date", "evidence_note", "fulfils"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = validation.actual_date_not_future(attrs.get("actual_date"), timezone.localdate())
        if "fulfils" in attrs:
            self.check_fulfils(attrs)
            fulfils = attrs["fulfils"]
            if fulfils is not None and "fulfils" not in errors:
                item = attrs.get("item") or self.instance.item
                probe = Milestone(pk=getattr(self.instance, "pk", None), item=item, fulfils=fulfils)
                errors.update(probe.fulfils_errors())
        if errors:
            raise as_drf(validation.ValidationError(errors))
        return attrs

    def check_fulfils(self, attrs) -> None:
        """The link moves another item's milestone (it takes its date from this one): staff only."""
        from rest_framework import exceptions

        from ..permissions import is_bureau_staff

        request = self.context.get("request")
        unchanged = self.instance is not None and self.instance.fulfils_id == getattr(attrs["fulfils"], "pk", None)
        if not unchanged and not (request is not None and is_bureau_staff(request.user)):
            raise exceptions.PermissionDenied(_("Only bureau staff link a milestone to the milestone it fulfils."))


class ProgressReportSerializer(ItemLinkedSerializer):
    note = serializers.CharField(source="narrative", required=False, allow_blank=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "target", "project", "as_of", "period", "value", "note", "problems", "correction_reason", "submitted_at",
            "review_state", "review_comment",
        ]  # fmt: skip
        read_only_fields = ["period", "submitted_at", "review_state", "review_comment"]
        # Uniqueness of (item, as_of) is checked in validate() with its own code.
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        item = attrs.get("item") or self.instance.item
        as_of = attrs.get("as_of", getattr(self.instance, "as_of", None))
        # 月度锁定: 400 period_closed for a date in a closed month, before or after the change.
        before = (self.instance.as_of, self.instance.period) if self.instance is not None else ()
        try:
            periods.check_report_open(item.plan_id, as_of, *before)
        except validation.ValidationError as exc:
            raise as_drf(exc) from exc
        duplicates = ProgressReport.objects.filter(item=item, as_of=as_of)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise serializers.ValidationError(
                {"as_of": [_("A report for this date already exists; correct that report instead.")]}, code="duplicate"
            )
        report = ProgressReport(item=item, as_of=as_of, pk=getattr(self.instance, "pk", None))
        value = attrs.get("value", getattr(self.instance, "value", None))
        next_as_of, next_value = report.next_report()
        errors = validation.progress_report(
            is_yes_no=item.kind == ItemKind.GOAL and Target.objects.filter(pk=item.pk, metric_kind=MetricKind.MILESTONE).exists(),
            value=value,
            as_of=as_of,
            today=timezone.localdate(),
            period_start=item.period_start,
            period_end=item.period_end,
            previous_value=report.previous_value(),
            correction_reason=attrs.get("correction_reason", getattr(self.instance, "correction_reason", "")),
            next_value=next_value,
            next_as_of=next_as_of,
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


class ReviewCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# The three lists (三清单): ?list= narrows a finding to the contract fields plus one list's fields,
# both declared in targets.three_lists_columns (API_CORE, each column's `api`).
FINDING_CORE = list(three_lists_columns.API_CORE)
FINDING_LISTS = {three_list.key: three_lists_columns.api_fields(three_list) for three_list in three_lists_columns.LISTS}


class CooperatingDepartments(serializers.ListField):
    """Ids of a finding's cooperating units, in the relation's order (by name)."""

    def __init__(self, **kwargs) -> None:
        label = capfirst(Finding._meta.get_field("cooperating_departments").verbose_name)
        super().__init__(child=serializers.IntegerField(label=label), read_only=True, source="*", label=label, **kwargs)

    def to_representation(self, finding):
        # FindingViewSet reads the ids of a whole page in one query (views.attach_links).
        ids = finding.__dict__.get("cooperating_department_ids")
        return ids if ids is not None else [department.pk for department in finding.cooperating_departments.all()]


class FindingSerializer(ItemLinkedSerializer):
    # Blank until staff classify the problem (the model field is blank=True).
    category = serializers.ChoiceField(choices=ProblemCategory.choices, allow_blank=True, read_only=True)
    # Blank until the 回头看 is recorded: the schema must allow "" as well as the two results.
    recheck_result = serializers.ChoiceField(choices=RecheckResult.choices, allow_blank=True, read_only=True)
    cooperating_departments = CooperatingDepartments()

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


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class MeSerializer(serializers.Serializer):
    """GET /me/: who the caller is and what its credentials may do."""

    username = serializers.CharField(read_only=True)
    is_bureau_staff = serializers.BooleanField(read_only=True)
    department = UnitRefSerializer(read_only=True, allow_null=True, help_text="The caller's unit (null if none).")
    auth = serializers.ChoiceField(choices=[("token", "token"), ("session", "session")], read_only=True)
    read_only = serializers.BooleanField(read_only=True, help_text="True: the credentials write nothing.")
    can_write = serializers.BooleanField(
        read_only=True, help_text="May write: bureau staff everything, a unit its own items' reports, milestones and blockers."
    )
    token_name = serializers.CharField(read_only=True, allow_null=True)
    token_expires_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null: never expires.")


class SupervisionRoundSerializer(FieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = SupervisionRound
        fields = ["id", "plan", "number", "date", "title", "kind", "issuing_office"]
