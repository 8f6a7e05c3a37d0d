"""Traffic lights on the goal and project pages: colour column, colour filters and the status panel.

"The latest status" of an item is its StatusSnapshot on the date of its plan's latest finished
SupervisionRun. Lists annotate it with one correlated subquery (so a page costs the same number of
queries for 5 rows as for 50), and the colour filters filter on that annotation.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import charts, formatting
from .choices import ItemKind, StatusChoice
from .evaluation import evaluate_item
from .headlines import plan_as_of
from .models import Finding, StatusSnapshot, SupervisionRun
from .permissions import is_bureau_staff

# Short colour names for badges (绿 / 黄 / 红 / 蓝 / 灰 in Chinese).
LIGHT_LABELS = {
    StatusChoice.GREEN: pgettext_lazy("light", "Green"),
    StatusChoice.YELLOW: pgettext_lazy("light", "Yellow"),
    StatusChoice.RED: pgettext_lazy("light", "Red"),
    StatusChoice.BLUE: pgettext_lazy("light", "Blue"),
    StatusChoice.GREY: pgettext_lazy("light", "Grey"),
}
# Background, text colour.
LIGHT_COLOURS = {
    StatusChoice.GREEN: ("#2e7d32", "#fff"),
    StatusChoice.YELLOW: ("#f9c623", "#222"),
    StatusChoice.RED: ("#c62828", "#fff"),
    StatusChoice.BLUE: ("#1565c0", "#fff"),
    StatusChoice.GREY: ("#9e9e9e", "#fff"),
}
BEHIND = (StatusChoice.YELLOW, StatusChoice.RED)
SEVERITY = {StatusChoice.GREY: 0, StatusChoice.BLUE: 1, StatusChoice.GREEN: 2, StatusChoice.YELLOW: 3, StatusChoice.RED: 4}

# Reason codes of targets.rules, rendered with their parameters (a generic text for unknown codes).
REASONS = {
    "before_period": _("The period starts on %(period_start)s."),
    "before_first_statistics": _("Before the first statistics point: nothing to judge yet."),
    "no_schedule": _("No schedule to judge against."),
    "not_expected_yet": _("Nothing is expected yet."),
    "no_data": _("No figure reported."),
    "no_data_overdue": _("No figure reported although it was due on %(due)s."),
    "target_met": _("Target met."),
    "target_not_met_yet": _("Target not met yet."),
    "target_missed": _("Target missed at the end of the period."),
    "ahead": _("Ahead of schedule: %(actual)s against %(expected)s expected by %(judged_on)s."),
    "on_schedule": _("On schedule."),
    "behind_schedule": _("Behind schedule: %(actual)s against %(expected)s expected by %(judged_on)s (%(ratio)s)."),
    "well_behind_schedule": _("Well behind schedule: %(actual)s against %(expected)s expected by %(judged_on)s (%(ratio)s)."),
    "forecast_miss": _("On the path, but the period-end forecast %(forecast)s misses the target %(target)s."),
    "relation_holds": _("The reported figure meets the target."),
    "relation_fails": _("The reported figure %(actual)s does not meet the target %(target)s."),
    "no_milestone_date": _("No milestone has a date yet."),
    "milestone_due_soon": _("Milestone “%(title)s” is due on %(planned)s."),
    "milestone_overdue": _("Milestone “%(title)s” was due on %(planned)s: %(days)s days overdue."),
    "milestone_long_overdue": _("Milestone “%(title)s” was due on %(planned)s: %(days)s days overdue (long overdue)."),
    "milestone_past_period": _("Milestone “%(title)s” (due %(planned)s) was not done by the end of the period."),
    "report_missing": _("The progress report for %(periods)s is missing."),
    "reports_missing": _("%(count)s progress reports are missing: %(periods)s."),
    "override": _("Set by staff: %(text)s"),
    "target_missed_at_deadline": _("Target missed at the deadline: %(actual)s against %(target)s."),
    "floor_held": _("Stock held: %(actual)s against the required %(target)s."),
    "floor_breached": _("Stock below the required %(target)s: %(actual)s (checks below on %(dates)s)."),
    "indicative_fails": _("Indicative: the in-year figure %(actual)s does not meet the target %(target)s yet."),
    "reporting_lapse": _("Reports not filed on time (报送不及时) for %(periods)s; a later cumulative report covers them."),
}
GENERIC_REASON = _("Reason: %(code)s")


class _Params(dict):
    def __missing__(self, key):
        return formatting.EMPTY


def _amount_text(item, value) -> str:
    if value in (None, ""):
        return formatting.EMPTY
    value = Decimal(str(value))
    target = getattr(item, "target", None) if item is not None and item.kind == ItemKind.GOAL else None
    if target is not None:
        return formatting.goal_amount(target, value)
    if item is not None and item.kind == ItemKind.PROJECT:
        return formatting.wan(value)
    return formatting.number(value)


def reason_text(reason: dict, item=None) -> str:
    """One stored reason ({"code": …, params…}) in the current language."""
    code = reason.get("code", "")
    params = _Params()
    for key, value in reason.items():
        if key in {"expected", "actual", "forecast", "target"}:
            params[key] = _amount_text(item, value)
        elif key == "ratio":
            params[key] = formatting.percent(Decimal(str(value)) * 100) if value not in (None, "") else formatting.EMPTY
        elif key == "periods":
            params[key] = ", ".join(str(p)[:7] for p in value or [])
        elif key == "dates":
            params[key] = ", ".join(str(p) for p in value or [])
        elif key == "status":
            params[key] = LIGHT_LABELS.get(value, value)
        elif value is None:
            params[key] = formatting.EMPTY
        else:
            params[key] = value
    if code == "no_data" and reason.get("due"):
        code = "no_data_overdue"
    template = REASONS.get(code)
    if template is None:
        return str(GENERIC_REASON) % {"code": code}
    return str(template) % params


def badge(status: str | None):
    """A coloured badge for a light (a dash when there is none)."""
    if not status:
        return formatting.EMPTY
    background, colour = LIGHT_COLOURS.get(status, ("#777", "#fff"))
    return format_html(
        '<span class="duban-light duban-light-{}" style="display:inline-block;min-width:1.6em;padding:0 6px;'
        'border-radius:9px;text-align:center;background:{};color:{};font-weight:600">{}</span>',
        status,
        background,
        colour,
        LIGHT_LABELS.get(status, status),
    )


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
    name = "admin:targets_target_change" if kind == ItemKind.GOAL else "admin:projects_project_change"
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


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
            "preview_actual": _amount_text(obj, preview.actual) if preview else None,
            "preview_expected": _amount_text(obj, preview.expected) if preview else None,
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
            "expected": _amount_text(obj, snapshot.expected) if snapshot else None,
            "actual": _amount_text(obj, snapshot.actual) if snapshot else None,
            "gap": _amount_text(obj, snapshot.gap) if snapshot else None,
            "forecast": _amount_text(obj, snapshot.forecast) if snapshot else None,
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
