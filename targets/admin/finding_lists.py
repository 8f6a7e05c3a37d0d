"""The finding register's three lists (问题清单, 责任清单, 整改清单) in the admin: a tab per list,
its filters, and what each list shows. FindingAdmin mixes in FindingListMixin."""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, F, OuterRef, Subquery, Value, prefetch_related_objects
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import item_kinds
from ..choices import ExtensionDecision, FindingCause, FindingState
from ..findings import rounds
from ..formatting import EMPTY
from ..models import (
    ExtensionRequest,
    FindingUpdate,
)
from .helpers import iso, short
from .status import badge, item_change_url

LIST_MODES = {
    "problem": _("Problem list"),
    "responsibility": _("Responsibility list"),
    "rectification": _("Rectification list"),
}
DEFAULT_MODE = "problem"


def cause_label(code: str | None) -> str:
    return str(FindingCause(code).label) if code in FindingCause.values else (code or EMPTY)


class ListModeFilter(admin.SimpleListFilter):
    """Takes ?list= off the lookups so the changelist keeps it in every link; the tabs show it."""

    title = _("list")
    parameter_name = "list"

    def lookups(self, _request, _model_admin):
        return []  # no sidebar entry: the tabs above the list switch it

    def queryset(self, _request, queryset):
        return queryset


def list_mode(request) -> str:
    mode = request.GET.get("list", DEFAULT_MODE)
    return mode if mode in LIST_MODES else DEFAULT_MODE


class FindingStateFilter(admin.SimpleListFilter):
    """The three lists are views of the open findings: open is the default, closed ones on request."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, _request, _model_admin):
        return [("open", _("Open (all open states)")), *FindingState.choices, ("all", _("All"))]

    def queryset(self, _request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.open()
        if value in FindingState.values:
            return queryset.filter(state=value)
        return queryset

    def choices(self, changelist):
        current = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, _request, _model_admin):
        return [("yes", _("Confirmed")), ("no", _("Awaiting confirmation"))]

    def queryset(self, _request, queryset):
        if self.value() == "yes":
            return queryset.filter(confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(confirmed_at__isnull=True)
        return queryset


# What each list shows (after the number and the item).
LIST_COLUMNS = {
    "problem": (
        "cause",
        "category",
        "description_display",
        "problems_display",
        "opened_on",
        "light_display",
        "level",
        "state",
        "confirmed_display",
    ),
    "responsibility": (
        "responsible_leader",
        "department",
        "cooperating_display",
        "contact_display",
        "owner_company_display",
        "state",
    ),
    "rectification": (
        "measures_display",
        "deadline_display",
        "updates_display",
        "evidence_display",
        "extension_display",
        "closure_requested_on",
        "verified_by",
        "closed_on",
        "state",
    ),
}


class FindingListMixin:
    """FindingAdmin's change list: one tab per list, each with its columns (LIST_COLUMNS)."""

    def get_queryset(self, request):
        updates = FindingUpdate.objects.filter(finding=OuterRef("pk")).order_by("-date", "-pk")
        extensions = ExtensionRequest.objects.filter(finding=OuterRef("pk")).order_by("-requested_at", "-pk")
        owner_path = item_kinds.owner_lookup("item__")  # 项目业主, lent by the register
        owner = F(owner_path) if owner_path else Value("")
        return (
            super()
            .get_queryset(request)
            .annotate(
                duban_update_date=Subquery(updates.values("date")[:1]),
                duban_update_text=Subquery(updates.values("text")[:1]),
                duban_update_count=Subquery(
                    FindingUpdate.objects.filter(finding=OuterRef("pk"))
                    .order_by()
                    .values("finding")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                duban_extension_deadline=Subquery(extensions.values("requested_deadline")[:1]),
                duban_extension_decision=Subquery(extensions.values("decision")[:1]),
                duban_owner=owner,
            )
        )

    def get_list_display(self, request):
        return ("number_display", "item_link", *LIST_COLUMNS[list_mode(request)])

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if list_mode(request) == "responsibility":
            # One query for every row's cooperating units.
            prefetch_related_objects(changelist.result_list, "cooperating_departments")
        return changelist

    def changelist_view(self, request, extra_context=None):
        mode = list_mode(request)
        params = request.GET.copy()
        for key in ("o", "p", "list", "e"):
            params.pop(key, None)
        tabs = []
        for key, label in LIST_MODES.items():
            query = params.copy()
            query["list"] = key
            tabs.append({"key": key, "label": label, "url": "?" + query.urlencode(), "active": key == mode})
        extra_context = {**(extra_context or {}), "duban_tabs": tabs, "duban_list_mode": mode, "title": LIST_MODES[mode]}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("later findings"))
    def later_display(self, obj):
        """Findings that follow this one: a relapse's, or next year's copy of a finding carried by the roll-over."""
        if obj is None or obj.pk is None:
            return EMPTY
        later = list(obj.later.select_related("item__plan").order_by("pk"))
        if not later:
            return EMPTY
        return format_html_join(
            "; ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:targets_finding_change", args=[f.pk]), rounds.finding_number(f.item.plan.year, f.pk))
                for f in later
            ),
        )

    @admin.display(description=_("number"), ordering="pk")
    def number_display(self, obj):
        if obj is None or obj.pk is None:
            return EMPTY
        return rounds.finding_number(obj.item.plan.year, obj.pk)

    @admin.display(description=_("item"), ordering="item__code")
    def item_link(self, obj):
        url = item_change_url(obj.item.kind, obj.item_id)
        text = f"{obj.item.code} {short(obj.item.title, 30)}"
        return format_html('<a href="{}">{}</a>', url, text) if url else text

    @admin.display(description=_("what is behind"))
    def description_display(self, obj):
        return short(obj.description, 60)

    @admin.display(description=_("reported problems"))
    def problems_display(self, obj):
        return short(obj.problems, 40)

    @admin.display(description=_("light when found"), ordering="light_when_found")
    def light_display(self, obj):
        return badge(obj.light_when_found)

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed_at")
    def confirmed_display(self, obj):
        return obj.confirmed_at is not None

    @admin.display(description=_("cooperating units"))
    def cooperating_display(self, obj):
        return "、".join(str(d) for d in obj.cooperating_departments.all()) or EMPTY

    @admin.display(description=_("contact"), ordering="contact__name")
    def contact_display(self, obj):
        if obj.contact is None:
            return EMPTY
        return f"{obj.contact.name} {obj.contact.phone}".strip()

    @admin.display(description=_("owner company"))
    def owner_company_display(self, obj):
        return getattr(obj, "duban_owner", None) or EMPTY

    @admin.display(description=_("rectification measures"))
    def measures_display(self, obj):
        return short(obj.measures, 60)

    @admin.display(description=_("deadline"), ordering="deadline")
    def deadline_display(self, obj):
        if obj.original_deadline and obj.original_deadline != obj.deadline:
            return format_html(
                "{} <small>({})</small>", iso(obj.deadline), gettext("originally %(date)s") % {"date": iso(obj.original_deadline)}
            )
        return iso(obj.deadline)

    @admin.display(description=_("progress notes"))
    def updates_display(self, obj):
        if not getattr(obj, "duban_update_count", None):
            return EMPTY
        return f"{iso(obj.duban_update_date)} {short(obj.duban_update_text, 40)} ({obj.duban_update_count})"

    @admin.display(description=_("evidence"))
    def evidence_display(self, obj):
        return short(obj.evidence, 30)

    @admin.display(description=_("extension"))
    def extension_display(self, obj):
        if getattr(obj, "duban_extension_deadline", None) is None:
            return EMPTY
        return f"{iso(obj.duban_extension_deadline)} ({ExtensionDecision(obj.duban_extension_decision).label})"
