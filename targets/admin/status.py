"""Traffic lights on the goal and project pages: colour column, colour filters and the status panel.

"The latest status" of an item is its StatusSnapshot on the date of its plan's latest finished
SupervisionRun. Lists annotate it with one correlated subquery (so a page costs the same number of
queries for 5 rows as for 50), and the colour filters filter on that annotation.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import formatting, item_kinds
from ..choices import StatusChoice
from ..documents import charts
from ..engine.evaluation import evaluate_item
from ..headlines import plan_as_of
from ..models import Finding, StatusSnapshot, SupervisionRun
from ..permissions import is_bureau_staff
from ..reasons import LIGHT_LABELS, amount_text, badge, reason_text

BEHIND = (StatusChoice.YELLOW, StatusChoice.RED)
SEVERITY = {StatusChoice.GREY: 0, StatusChoice.BLUE: 1, StatusChoice.GREEN: 2, StatusChoice.YELLOW: 3, StatusChoice.RED: 4}


# --- Querysets -------------------------------------------------------------------------------------


def latest_run_date(plan_id):
    return SupervisionRun.objects.latest_finished_date(plan_id)


def with_latest_status(queryset, item_ref: str = "pk", plan_ref: str = "plan"):
    """Annotate duban_status_date (the plan's latest run) and duban_status (the item's light then)."""
    run_dates = SupervisionRun.objects.latest_finished(OuterRef(plan_ref))
    queryset = queryset.annotate(duban_status_date=Subquery(run_dates.values("as_of")[:1]))
    snapshots = StatusSnapshot.objects.filter(item=OuterRef(item_ref), date=OuterRef("duban_status_date"))
    queryset = queryset.annotate(duban_status=Subquery(snapshots.values("status")[:1]))
    # Sorting the colour column puts the worst first (descending): red, yellow, green, blue, grey.
    severity = Case(*(When(duban_status=status, then=Value(rank)) for status, rank in SEVERITY.items()), default=Value(-1))
    return queryset.annotate(duban_status_rank=severity)


class LightFilter(admin.SimpleListFilter):
    """The item's colour at the latest supervision run."""

    title = _("status")
    parameter_name = "light"

    def lookups(self, _request, _model_admin):
        return [*((value, LIGHT_LABELS[value]) for value in StatusChoice.values), ("none", _("Not evaluated"))]

    def queryset(self, _request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(duban_status__isnull=True)
        if value in StatusChoice.values:
            return queryset.filter(duban_status=value)
        return queryset


class BehindFilter(admin.SimpleListFilter):
    title = _("behind schedule")
    parameter_name = "behind"

    def lookups(self, _request, _model_admin):
        return [("yes", _("Behind (yellow or red)")), ("no", _("Not behind"))]

    def queryset(self, _request, queryset):
        if self.value() == "yes":
            return queryset.filter(duban_status__in=BEHIND)
        if self.value() == "no":
            return queryset.filter(Q(duban_status__isnull=True) | ~Q(duban_status__in=BEHIND))
        return queryset


# --- The admin mixin of goal and project pages ---------------------------------------------------------


def item_change_url(kind: str, pk: int) -> str | None:
    return item_kinds.change_url(kind, pk)


class ItemStatusMixin:
    """For TrackedItemAdmin subclasses: a colour column, colour filters and a status panel on the page."""

    status_fieldset_title = _("Status")

    def get_queryset(self, request):
        return with_latest_status(super().get_queryset(request))

    @admin.display(description=_("status"), ordering="-duban_status_rank")
    def status_badge(self, obj):
        return badge(getattr(obj, "duban_status", None))

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or obj.pk is None:
            return fieldsets
        return [(self.status_fieldset_title, {"fields": ("status_panel",), "classes": ("duban-status",)}), *fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if "status_panel" in fields else (*fields, "status_panel")

    @admin.display(description=_("latest status"))
    def status_panel(self, obj):
        if obj is None or obj.pk is None:
            return formatting.EMPTY
        run_date = latest_run_date(obj.plan_id)
        snapshot = StatusSnapshot.objects.filter(item=obj, date=run_date).first() if run_date else None
        open_findings = list(Finding.objects.filter(item=obj).open().order_by("-level", "deadline", "pk")[:20])
        finding_list = reverse("admin:targets_finding_changelist")
        # What the figures entered so far make of the colour today, before the next run.
        preview_date = plan_as_of(obj.plan)
        # A draft goal (year roll-over) is not evaluated until published: no preview either.
        evaluated = preview_date >= obj.plan.period_start and not obj.is_draft
        preview = evaluate_item(obj, preview_date, pending=True) if evaluated else None
        context = {
            "preview": preview,
            "preview_pending": obj.reports.awaiting_review().filter(as_of__lte=preview_date).count() if preview else 0,
            "preview_date": preview_date,
            "preview_badge": badge(preview.status) if preview else None,
            "preview_actual": amount_text(obj, preview.actual) if preview else None,
            "preview_expected": amount_text(obj, preview.expected) if preview else None,
            "run_date": run_date,
            "snapshot": snapshot,
            "badge": badge(snapshot.status if snapshot else None),
            "components": [
                (_("progress"), badge(snapshot.value_status)),
                (_("milestones"), badge(snapshot.milestone_status)),
                (_("reporting"), badge(snapshot.reporting_status)),
            ]
            if snapshot
            else [],
            "expected": amount_text(obj, snapshot.expected) if snapshot else None,
            "actual": amount_text(obj, snapshot.actual) if snapshot else None,
            "gap": amount_text(obj, snapshot.gap) if snapshot else None,
            "forecast": amount_text(obj, snapshot.forecast) if snapshot else None,
            "ratio": formatting.percent(snapshot.ratio * 100) if snapshot and snapshot.ratio is not None else formatting.EMPTY,
            "reasons": [reason_text(r, obj) for r in (snapshot.reasons if snapshot else [])],
            "open_findings": open_findings,
            "findings_url": f"{finding_list}?item__id__exact={obj.pk}",
            "chart": charts.item_chart(obj),
            "is_staff": getattr(obj, "_duban_staff", False),
            "override_url": f"{reverse('admin:targets_statusoverride_add')}?item={obj.pk}",
        }
        return render_to_string("admin/targets/status_panel.html", context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._duban_staff = is_bureau_staff(request.user)  # the panel offers staff a link to override the status
        return obj
