"""Viewsets of the v1 API: a queryset, a serializer, a filter set and a scoped get_queryset().

Over 400 lines on purpose: the viewsets share the mixins at the top (as_of, ETags, writes in one
transaction) and read as one list; most are a few lines over them.
"""

# ruff: noqa: ARG002 - DRF and admin hooks have fixed signatures
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import headlines, review
from ..choices import StatusChoice
from ..documents.spreadsheets import XLSX_CONTENT_TYPE
from ..documents.three_lists import DOCX_CONTENT_TYPE
from ..findings import rounds
from ..models import (
    Department,
    Finding,
    Milestone,
    Person,
    Plan,
    ProgressReport,
    StatusSnapshot,
    SupervisionRound,
    SupervisionRun,
    Target,
    TrackedItem,
)
from ..models.api import ApiToken
from ..permissions import can_edit_item, is_bureau_staff, user_department_id
from . import filters
from .errors import as_drf
from .permissions import StaffWrites, UnitRule, is_read_only_token
from .serializers import (
    STATUS_REASONS,
    DepartmentSerializer,
    FindingSerializer,
    MeSerializer,
    MilestoneSerializer,
    PersonSerializer,
    PlanSerializer,
    ProgressReportSerializer,
    ReviewCommentSerializer,
    SupervisionRoundSerializer,
    TargetSerializer,
)
from .snapshots import NO_RUN, attach_status

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="按该日期或之前最近一次督办运行作答。Answer as of this date: the latest supervision run on or before it.",
)
FIELDS = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description=(
        "逗号分隔的字段名：只返回这些字段（总含 id），响应是组件的子集。"
        "Comma-separated field names: the response keeps only these (and the id), a subset of the component."
    ),
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The resource has changed since you read it; read it again and retry.")
    default_code = "precondition_failed"


def parse_as_of(request) -> dt.date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise exceptions.ValidationError({"as_of": [_("Enter a date as YYYY-MM-DD.")]}, code="invalid") from exc


class AsOfMixin:
    # Goals and projects carry the status of the supervision run on or before ?as_of=.
    # A list page gets its status after the page is cut: annotated on the whole list, PostgreSQL
    # runs the status subqueries for every row an OFFSET skips (1.6 s for page 1,500 of 100,000).
    # The figures are read for the rows shown, in two small
    # queries (snapshots.attach_status): six correlated subqueries cost more CPU to build and compile
    # than the rest of the request, and the page was fetched twice.

    def paginate_queryset(self, queryset):
        as_of = parse_as_of(self.request)
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return attach_status(list(page), as_of)

    def get_object(self):
        as_of = parse_as_of(self.request)
        return attach_status([super().get_object()], as_of)[0]


class ETagMixin:
    """ETag on detail responses; If-Match on PUT/PATCH, 412 when the row changed meanwhile."""

    def etag(self, instance) -> str:
        data = self.get_serializer_class()(instance, context={}).data
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()
        return f'"{digest[:32]}"'

    def retrieve(self, request, *args, **kwargs):
        # One read of the row for the body and the tag (the tag covers every field, whatever ?fields=).
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = self.etag(instance)
        return response

    def update(self, request, *args, **kwargs):
        if_match = request.headers.get("If-Match")
        with transaction.atomic():
            if if_match and if_match.strip() != "*":
                # Lock the row, so two writers holding the same ETag cannot both pass the check.
                instance = self.get_object()
                list(type(instance).objects.select_for_update().filter(pk=instance.pk).values_list("pk"))
                tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
                if self.etag(self.get_object()) not in tags:
                    raise PreconditionFailed()
            response = super().update(request, *args, **kwargs)
        response["ETag"] = self.etag(self.get_object())
        return response


class WritesInTransaction:
    # ATOMIC_REQUESTS for writes only: a read runs its statements without BEGIN … COMMIT. A read
    # needs no transaction (under READ COMMITTED each statement sees its own snapshot either way),
    # and the two extra statements cost PostgreSQL and the worker CPU on every call. A write still
    # runs in one transaction, rolled back on an error as before. (Comments, not a docstring: view
    # docstrings are the schema's operation descriptions.)

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view._non_atomic_requests = set(connections.settings)  # Django's ATOMIC_REQUESTS skips these
        return view

    def dispatch(self, request, *args, **kwargs):
        # Inside someone else's transaction (a test's), a savepoint as before: DRF marks the open
        # atomic block for rollback when it answers an error, and that block is not ours.
        if request.method in permissions.SAFE_METHODS and not transaction.get_connection().in_atomic_block:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class ReadViewSet(WritesInTransaction, viewsets.ReadOnlyModelViewSet):
    permission_classes = [StaffWrites]


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class DepartmentViewSet(ReadViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "id"]


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class PersonViewSet(ReadViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_fields = ["department", "is_leader", "active"]
    ordering_fields = ["name", "id"]


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class PlanViewSet(ReadViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_fields = ["year"]
    ordering_fields = ["year"]


@extend_schema_view(list=extend_schema(parameters=[AS_OF, FIELDS]), retrieve=extend_schema(parameters=[AS_OF]))
class TargetViewSet(AsOfMixin, ReadViewSet):
    # By plan id, not the model's plan ordering (-year): that joins the plans and sorts every row
    # before the page is cut; (plan_id, code) walks the unique index.
    queryset = Target.objects.order_by("plan_id", "code")
    serializer_class = TargetSerializer
    filterset_class = filters.TargetFilter
    ordering_fields = ["code", "id", "period_end"]


class ItemLinkedViewSet(
    WritesInTransaction, ETagMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Rows of a goal or project that its lead unit maintains (the admin's unit rule)."""

    permission_classes = [UnitRule]
    # Request keys naming the item a row belongs to (checked before the body is validated).
    item_keys = ("target", "project")

    def get_item(self, obj):
        return obj.item

    def check_named_item(self, data) -> None:
        """403 before any validation when the body names an item the caller may not change."""
        if is_bureau_staff(self.request.user) or not isinstance(data, dict):
            return
        ids = {int(v) for key in self.item_keys if isinstance(v := data.get(key), int | str) and str(v).isdigit()}
        for item in TrackedItem.objects.filter(pk__in=ids):
            if not can_edit_item(self.request.user, item):
                raise exceptions.PermissionDenied(_("Only the lead unit of this item or bureau staff may change it."))

    def create(self, request, *args, **kwargs):
        self.check_named_item(request.data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        response = Response(serializer.data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(serializer.data))
        response["ETag"] = self.etag(serializer.instance)
        return response

    def update(self, request, *args, **kwargs):
        self.get_object()  # the row's own permission first (404/403), then the item the body names
        self.check_named_item(request.data)
        return super().update(request, *args, **kwargs)

    def check_item(self, serializer) -> None:
        item = serializer.validated_data.get("item")
        if item is not None and not can_edit_item(self.request.user, item):
            raise exceptions.PermissionDenied(_("Only the lead unit of this item or bureau staff may change it."))

    def perform_create(self, serializer) -> None:
        self.check_item(serializer)
        serializer.save()

    def perform_update(self, serializer) -> None:
        self.check_item(serializer)
        serializer.save()


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class MilestoneViewSet(ItemLinkedViewSet):
    queryset = Milestone.objects.select_related("item")
    serializer_class = MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    ordering_fields = ["planned_date", "actual_date", "id"]


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class ProgressReportViewSet(ItemLinkedViewSet):
    queryset = ProgressReport.objects.select_related("item")
    serializer_class = ProgressReportSerializer
    filterset_class = filters.ProgressReportFilter
    ordering_fields = ["as_of", "id"]

    def perform_create(self, serializer) -> None:
        self.check_item(serializer)
        item = serializer.validated_data["item"]
        serializer.save(reporter=self.request.user, **review.entry_fields(item.plan, self.request.user))

    def perform_update(self, serializer) -> None:
        # A correction is filed again: a unit's goes back to review (a returned report is resubmitted).
        self.check_item(serializer)
        item = serializer.validated_data.get("item") or serializer.instance.item
        serializer.save(**review.entry_fields(item.plan, self.request.user))

    def decide(self, request, decision):
        if is_read_only_token(request) or not is_bureau_staff(request.user):
            raise exceptions.PermissionDenied(_("Only bureau staff review reports."))
        report = self.get_object()
        body = ReviewCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decision(report, body.validated_data["comment"])
        except DjangoValidationError as exc:
            raise as_drf(exc) from exc
        return Response(self.get_serializer(report).data)

    @extend_schema(request=ReviewCommentSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted report (bureau staff): its figure counts from now on."""
        return self.decide(request, lambda report, _comment: review.approve(report, request.user))

    @extend_schema(request=ReviewCommentSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_report(self, request, pk=None):
        """Return a submitted report to its unit with {"comment": "..."} (bureau staff); it does not count."""
        return self.decide(request, lambda report, comment: review.return_report(report, request.user, comment))


def attach_links(findings: list) -> list:
    """Set item_kind and cooperating_department_ids on each finding: two small queries for the page.

    select_related("item") built every item's row for one column, and an annotation's join made
    the page's COUNT(*) join the items too; prefetch_related built a Department per link.
    """
    if not findings:
        return findings
    kinds = dict(TrackedItem.objects.filter(pk__in={finding.item_id for finding in findings}).values_list("pk", "kind"))
    ids: dict[int, list[int]] = {finding.pk: [] for finding in findings}
    links = Finding.cooperating_departments.through.objects.filter(finding_id__in=ids)
    # The relation's order: Department.Meta.ordering (name).
    for finding_id, department_id in links.order_by("department__name", "department_id").values_list(
        "finding_id", "department_id"
    ):
        ids[finding_id].append(department_id)
    for finding in findings:
        finding.item_kind = kinds[finding.item_id]
        finding.cooperating_department_ids = ids[finding.pk]
    return findings


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class FindingViewSet(ReadViewSet):
    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = filters.FindingFilter
    ordering_fields = ["opened_on", "deadline", "level", "id"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else attach_links(list(page))

    def get_object(self):
        return attach_links([super().get_object()])[0]


def download(content: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)


@extend_schema_view(list=extend_schema(parameters=[FIELDS]))
class SupervisionRoundViewSet(ReadViewSet):
    queryset = SupervisionRound.objects.select_related("plan")
    serializer_class = SupervisionRoundSerializer
    filterset_fields = ["plan", "kind"]
    ordering_fields = ["date", "number"]

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"], url_path="three-lists")
    def three_lists(self, request, pk=None):
        """The round's three lists (三清单) as .xlsx."""
        return download(*rounds.round_xlsx(self.get_object()), XLSX_CONTENT_TYPE)

    @extend_schema(
        responses={
            (200, DOCX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"], url_path=r"notices/(?P<department_id>\d+)")
    def notice(self, request, pk=None, department_id=None):
        """The notice (督办通知单) to one lead unit of the round, as .docx."""
        notice = rounds.unit_notice(self.get_object(), get_object_or_404(Department, pk=department_id))
        if notice is None:
            raise exceptions.NotFound()
        return download(*notice, DOCX_CONTENT_TYPE)


class StatusView(WritesInTransaction, APIView):
    # A plan's summary: items per colour at the latest run and the headline goals.

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", OpenApiTypes.INT, description="计划 id，默认当前计划。Plan id (default: the current plan)."),
            AS_OF,
        ],
        responses=inline_serializer(
            "PlanStatus",
            {
                "plan": serializers.IntegerField(),
                "as_of": serializers.DateField(),
                "run_date": serializers.DateField(allow_null=True),
                "status_reason": serializers.ChoiceField(choices=STATUS_REASONS, allow_null=True),
                "counts": serializers.DictField(child=serializers.DictField(child=serializers.IntegerField())),
                "headlines": TargetSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        as_of = parse_as_of(request)
        plan_id = request.query_params.get("plan")
        if plan_id:
            if not plan_id.isdigit():
                raise exceptions.ValidationError({"plan": [_("Enter a plan id.")]}, code="invalid")
            plan = get_object_or_404(Plan, pk=plan_id)
        else:
            plan = headlines.current_plan(as_of)
            if plan is None:
                raise exceptions.NotFound()
        as_of = headlines.plan_as_of(plan, as_of)
        goals = attach_status(list(Target.objects.filter(plan=plan, is_headline=True).order_by("headline_order", "code")), as_of)
        summary = summary_counts(plan, as_of)
        run_date = summary.pop("run_date")
        return Response(
            {
                "plan": plan.pk,
                "as_of": as_of,
                "run_date": run_date,
                "status_reason": NO_RUN if run_date is None else None,
                "counts": summary["counts"],
                "headlines": TargetSerializer(goals, many=True, context={"request": request}).data,
            }
        )


def summary_counts(plan: Plan, as_of: dt.date) -> dict:
    """Items per colour and kind at the plan's latest finished run on or before as_of."""
    run_date = SupervisionRun.objects.latest_finished_date(plan, as_of)
    counts = {colour: {"goal": 0, "project": 0} for colour in StatusChoice.values}
    if run_date is not None:
        rows = (
            StatusSnapshot.objects.filter(item__plan=plan, date=run_date)
            .values_list("status", "item__kind")
            .annotate(n=Count("pk"))
        )
        for colour, kind, n in rows:
            counts.setdefault(colour, {})[kind] = n
    return {"run_date": run_date, "counts": counts}


class MeView(APIView):
    # GET /api/v1/me/: a unit's system learns which unit it is and what its token may do.

    @extend_schema(responses=MeSerializer, operation_id="v1_me_retrieve")
    def get(self, request):
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        department_id = user_department_id(user)
        department = Department.objects.filter(pk=department_id).values("id", "name").first() if department_id else None
        staff = is_bureau_staff(user)
        read_only = bool(token and token.read_only)
        data = {
            "username": user.get_username(),
            "is_bureau_staff": staff,
            "department": department,
            "auth": "token" if token else "session",
            "read_only": read_only,
            "can_write": not read_only and (staff or department is not None),
            "token_name": token.name if token else None,
            "token_expires_at": token.expires_at if token else None,
        }
        return Response(MeSerializer(data).data)
