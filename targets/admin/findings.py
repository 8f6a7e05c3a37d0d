"""Supervision in the admin: the finding register as the three lists, rounds and notices, runs, overrides.

Imported at the end of targets.admin (registration happens on import).

Who may do what with findings (the rule is enforced in the permission hooks and again in every save
path and view, not only by hiding buttons):

- Bureau staff add findings by hand, change the register fields, confirm, close out (销号, with a
  verification note), dismiss (with a reason) and decide extension requests.
- A unit's user sees every finding. On the open findings its own unit leads (finding.department)
  it enters measures and evidence, appends progress notes, requests extensions and asks for
  close-out; everything else stays read-only, and a POST to another unit's finding gets 403.
  Units hold only the view permission on these models (config.roles); the unit rule grants them
  the writes above.
- Findings are never deleted; dismissing is the way out of the register.

State changes go through targets.findings (record_measures, add_update, request_closure,
close_out, dismiss, request_extension, decide_extension), never through the form.
"""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.
# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, prefetch_related_objects
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import evidence, exports, findings, followup, item_kinds, rounds
from ..choices import ExtensionDecision, FindingCause, FindingSource, FindingState, StatusChoice
from ..downloads import docx_response, xlsx_response
from ..formatting import EMPTY
from ..headlines import current_plan
from ..models import (
    Department,
    Dispatch,
    Escalation,
    Evidence,
    ExtensionRequest,
    Finding,
    FindingReply,
    FindingUpdate,
    HolidayOverride,
    Plan,
    StatusOverride,
    SupervisionRound,
    SupervisionRun,
    TrackedItem,
)
from ..permissions import user_department_id
from .evidence import FindingEvidenceInline
from .exports import FindingExportMixin
from .helpers import DubanAdmin, DubanModelForm, StaffWriteMixin, is_staff, my_unit_filter
from .loop import FindingLoopMixin, FindingReplyInline, RecheckFilter
from .paging import RelatedOnlyExistsFilter
from .status import LIGHT_LABELS, badge, item_change_url

LIST_MODES = {
    "problem": _("Problem list"),
    "responsibility": _("Responsibility list"),
    "rectification": _("Rectification list"),
}
DEFAULT_MODE = "problem"


def cause_label(code: str | None) -> str:
    return str(FindingCause(code).label) if code in FindingCause.values else (code or EMPTY)


def short(text: str, length: int = 40) -> str:
    return Truncator(text or "").chars(length) or EMPTY


def iso(day) -> str:
    return day.isoformat() if day else EMPTY


def may_work_on(request, finding) -> bool:
    """Measures, evidence, progress notes, extension and close-out requests: staff, or the finding's own unit."""
    return findings.may_work_on(finding, request.user)


# --- The item picker (autocomplete needs an admin for TrackedItem) -----------------------------------


@admin.register(TrackedItem)
class TrackedItemLookupAdmin(admin.ModelAdmin):
    """Search goals and projects together (for autocomplete fields); not listed on the home page."""

    list_display = ("code", "title", "kind", "plan", "lead_department")
    list_select_related = ("plan", "lead_department")
    search_fields = ("code", "title")
    ordering = ("-plan__year", "code")

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a goal or project (staff) cascades to its item row: allowed with the goal's own rule.
        return is_staff(request) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        return {}


# --- Findings: filters ---------------------------------------------------------------------------------


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


# --- Findings: forms and inlines ---------------------------------------------------------------------


class FindingForm(DubanModelForm):
    """Staff's form; a new finding is always a manual one (cause "manual")."""

    class Meta:
        model = Finding
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.cause = FindingCause.MANUAL
            if "source" in self.fields:
                self.fields["source"].choices = [c for c in FindingSource.choices if c[0] != FindingSource.AUTOMATIC]

    def clean(self):
        data = super().clean()
        item, milestone = data.get("item") or getattr(self.instance, "item", None), data.get("milestone")
        if milestone is not None and item is not None and milestone.item_id != item.pk:
            self.add_error("milestone", _("Choose a milestone of the finding's item."))
        return data


class AddOnlyInline(admin.TabularInline):
    """Rows appended on the finding page (never edited or deleted): staff, or the finding's own unit."""

    extra = 0
    can_delete = False
    form = DubanModelForm

    def has_add_permission(self, request, obj=None):
        return may_work_on(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingUpdateInline(AddOnlyInline):
    model = FindingUpdate
    fields = ("date", "text", "author")
    readonly_fields = ("author",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ExtensionFormSet(BaseInlineFormSet):
    """A new extension request needs a reason and a date later than the finding's current deadline."""

    def clean(self):
        super().clean()
        finding = self.instance
        for form in self.extra_forms:
            if not form.has_changed() or form.errors:
                continue
            new = form.cleaned_data.get("requested_deadline")
            if new is not None and finding.deadline and new <= finding.deadline:
                form.add_error("requested_deadline", _("The new deadline must be later than the current one."))
            if not (form.cleaned_data.get("reason") or "").strip():
                form.add_error("reason", _("Give the reason for the extension."))


class ExtensionRequestInline(AddOnlyInline):
    model = ExtensionRequest
    formset = ExtensionFormSet
    fields = (
        "requested_deadline",
        "reason",
        "previous_deadline",
        "requested_by",
        "requested_at",
        "decision",
        "decided_by",
        "decide",
    )
    readonly_fields = ("previous_deadline", "requested_by", "requested_at", "decision", "decided_by", "decide")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def get_queryset(self, request):
        # The decide buttons are for staff; the flag rides on each row (the column has no request).
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "decided_by")
            .annotate(duban_staff=Value(is_staff(request)))
        )

    @admin.display(description=_("decide"))
    def decide(self, obj):
        if obj is None or obj.pk is None or obj.decision != ExtensionDecision.PENDING or not getattr(obj, "duban_staff", False):
            return EMPTY
        # Buttons of the change form posting to the decision view (a form cannot hold another form).
        approve = reverse("admin:targets_finding_extension", args=[obj.finding_id, obj.pk, "approve"])
        reject = reverse("admin:targets_finding_extension", args=[obj.finding_id, obj.pk, "reject"])
        return format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button> '
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
            approve,
            gettext("Approve"),
            reject,
            gettext("Reject"),
        )


class EscalationInline(admin.TabularInline):
    model = Escalation
    fields = ("level", "date", "reason", "people_told")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("people told"))
    def people_told(self, obj):
        return "、".join(str(p.get("name", "")) for p in obj.recipients or []) or EMPTY


# --- Findings: the admin -------------------------------------------------------------------------------

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
# Read-only everywhere: set by the run or by the actions of targets.findings.
SYSTEM_FIELDS = (
    "number_display",
    "cause",
    "state",
    "ready_to_close",
    "previous",
    "later_display",
    "confirmed_at",
    "confirmed_by",
    "original_deadline",
    "closure_requested_on",
    "verified_by",
    "verification_note",
    "closed_on",
    "dismissed_reason",
    "created_at",
    "owner_company_display",
    "reopened_on",
    "reopen_count",
    "recheck_due",
    "recheck_result",
    "rechecked_on",
    "recheck_note",
    "timeline_display",
)
# Set when the finding is opened, then changed only by the ladder or an approved extension.
FIXED_AFTER_ADD = ("item", "milestone", "level", "deadline")
# What the finding's own unit may change.
UNIT_FIELDS = ("measures", "evidence")


@admin.register(Finding)
class FindingAdmin(FindingLoopMixin, FindingExportMixin, DubanAdmin):
    form = FindingForm
    change_list_template = "admin/targets/finding/change_list.html"
    change_form_template = "admin/targets/finding/change_form.html"
    list_filter = (
        ListModeFilter,
        FindingStateFilter,
        ("department", RelatedOnlyExistsFilter),
        ("responsible_leader", RelatedOnlyExistsFilter),
        "level",
        "category",
        "cause",
        "source",
        "ready_to_close",
        ConfirmedFilter,
        RecheckFilter,
        "item__plan",
        "item__kind",
        my_unit_filter("department_id"),
    )
    list_select_related = ("item", "item__plan", "department", "responsible_leader", "contact", "verified_by")
    search_fields = (
        "item__code",
        "item__title",
        "description",
        "problems",
        "measures",
        "department__name",
        "department__short_name",
    )
    search_help_text = _("Search by item code or name, the finding's text or the lead unit.")
    autocomplete_fields = ("item", "milestone", "department", "cooperating_departments", "responsible_leader", "contact")
    inlines = (FindingReplyInline, FindingEvidenceInline, FindingUpdateInline, ExtensionRequestInline, EscalationInline)
    actions = ("confirm_findings", "close_out_findings", "dismiss_findings", "request_closure_of_findings", "export_three_lists")

    # --- permissions

    def may_write(self, request, obj=None) -> bool:
        if is_staff(request):
            return obj is None or obj.is_open
        return obj is not None and may_work_on(request, obj)

    def has_add_permission(self, request):
        # Manual findings (site inspections, meetings) are entered by bureau staff only.
        return is_staff(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if is_staff(request):
            return super().has_change_permission(request, obj)
        # A unit holds only the view permission (config.roles): the unit rule grants its own open findings.
        return obj is not None and self.has_view_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Staff may correct a mistaken entry (the history keeps it); the way out of the register is
        # dismissal or close-out, so there is no bulk delete.
        return is_staff(request) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_staff_permission(self, request):
        return is_staff(request)

    def has_request_closure_permission(self, request):
        return is_staff(request) or user_department_id(request.user) is not None

    # --- the list

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

    # --- the change page

    def get_fieldsets(self, request, obj=None):
        register = ["item", "milestone", ("cause", "source"), "level", "round"]
        if obj is not None:
            register = [
                "number_display",
                "item",
                "milestone",
                ("cause", "source"),
                ("state", "level"),
                "round",
                ("confirmed_at", "confirmed_by"),
                ("ready_to_close", "previous", "later_display"),
                "created_at",
            ]
        else:
            register.remove(("cause", "source"))
            register.insert(2, "source")
        problem = [
            "category",
            "opened_on",
            "light_when_found",
            ("expected", "actual", "gap"),
            "days_overdue",
            "description",
            "problems",
        ]
        responsibility = ["responsible_leader", "department", "cooperating_departments", "contact"]
        rectification = ["measures", "deadline", "evidence"]
        if obj is not None:
            responsibility.append("owner_company_display")
            rectification = [
                "measures",
                ("deadline", "original_deadline"),
                "evidence",
                "closure_requested_on",
                ("verified_by", "closed_on"),
                "verification_note",
                "dismissed_reason",
                ("reopened_on", "reopen_count"),
                ("recheck_due", "recheck_result", "rechecked_on"),
                "recheck_note",
            ]
        return [
            (_("Register"), {"fields": register}),
            (_("Problem list"), {"fields": problem}),
            (
                _("Responsibility list"),
                {
                    "fields": responsibility,
                    "description": _("Left blank on a new finding: taken from the item.") if obj is None else "",
                },
            ),
            (_("Rectification list"), {"fields": rectification}),
            *([(_("Timeline"), {"fields": ["timeline_display"]})] if obj is not None else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if is_staff(request) and obj.is_open:
            return (*SYSTEM_FIELDS, *FIXED_AFTER_ADD)
        names = []
        for _title, options in self.get_fieldsets(request, obj):
            for field in options["fields"]:
                names.extend(field if isinstance(field, tuple) else [field])
        if self.has_change_permission(request, obj):
            return tuple(n for n in names if n not in UNIT_FIELDS)
        return tuple(names)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        today = timezone.localdate()
        for name, value in findings.manual_initial(today, current_plan(today)).items():
            initial.setdefault(name, value)
        return initial

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if not change:
            findings.enter_by_hand(obj, request.user)  # staff only; confirmed at once
            return
        # Check the rule against the stored finding (a forged POST cannot change the unit).
        stored = Finding.objects.get(pk=obj.pk)
        if not self.may_write(request, stored):
            raise PermissionDenied
        if "measures" in form.changed_data and obj.measures.strip():
            findings.record_measures(obj, obj.measures, request.user)  # open → in progress
        else:
            obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        finding = form.instance
        if not change and not form.cleaned_data.get("cooperating_departments"):
            finding.cooperating_departments.set(finding.item.cooperating_departments.all())

    def save_formset(self, request, form, formset, change):
        finding = form.instance
        # Append-only: saved rows are shown read-only and never saved again; only new rows count.
        # (The change message reads what a formset save would have recorded.)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        new_rows = [f for f in formset.extra_forms if f.has_changed()]
        if not new_rows:
            return
        if not may_work_on(request, Finding.objects.get(pk=finding.pk)):
            raise PermissionDenied
        for row in new_rows:
            data = row.cleaned_data
            if formset.model is FindingUpdate:
                created = findings.add_update(finding, data["text"], request.user, on=data.get("date"))
            elif formset.model is ExtensionRequest:
                created = findings.request_extension(finding, data["requested_deadline"], data["reason"], request.user)
            elif formset.model is FindingReply:
                created = followup.submit_reply(finding, data["text"], request.user, dispatch=data.get("dispatch"))
                for upload in data.get("attachments") or []:
                    evidence.attach(created, upload, request.user)
            elif formset.model is Evidence:
                created = evidence.attach(finding, data["upload"], request.user)
            else:
                raise PermissionDenied
            formset.new_objects.append(created)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context = {
                **(extra_context or {}),
                "duban_may_request_closure": obj.state in (FindingState.OPEN, FindingState.IN_PROGRESS)
                and may_work_on(request, obj),
                "duban_staff_actions": is_staff(request) and obj.is_open,
                "duban_may_confirm": findings.may_confirm(obj, request.user),
                **self.loop_context(request, obj),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- transitions: per finding (buttons on the page) and in bulk (list actions)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/transition/<str:kind>/", view(self.transition_view), name="targets_finding_transition"),
            path(
                "<path:object_id>/extension/<int:request_id>/<str:decision>/",
                view(self.extension_view),
                name="targets_finding_extension",
            ),
            *self.loop_urls(),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, kind):
        finding = self.get_object(request, unquote(object_id))
        if finding is None:
            raise Http404
        change_url = reverse("admin:targets_finding_change", args=[finding.pk])
        if kind == "request-closure":
            if request.method != "POST" or not may_work_on(request, finding):
                raise PermissionDenied
            try:
                findings.request_closure(finding, request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, gettext("Close-out requested."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        if kind == "confirm":
            if request.method != "POST" or not is_staff(request):
                raise PermissionDenied
            done = self._confirm(request, Finding.objects.filter(pk=finding.pk))
            self.message_user(request, gettext("Finding confirmed.") if done else gettext("Nothing to confirm."), messages.INFO)
            return HttpResponseRedirect(change_url)
        if kind in ("close-out", "dismiss"):
            if not is_staff(request):
                raise PermissionDenied
            response = self._with_note(request, Finding.objects.filter(pk=finding.pk), kind, form_url=request.path)
            return response or HttpResponseRedirect(change_url)
        raise Http404

    def extension_view(self, request, object_id, request_id, decision):
        if request.method != "POST" or not is_staff(request) or decision not in ("approve", "reject"):
            raise PermissionDenied
        extension = get_object_or_404(ExtensionRequest, pk=request_id, finding_id=unquote(object_id))
        try:
            findings.decide_extension(extension, request.user, approve=decision == "approve")
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Extension approved.") if decision == "approve" else gettext("Extension rejected."),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:targets_finding_change", args=[extension.finding_id]))

    def _confirm(self, request, queryset) -> int:
        done = 0
        for finding in queryset.filter(confirmed_at__isnull=True).open():
            done += findings.confirm(finding, request.user)
        return done

    def _with_note(self, request, queryset, kind: str, *, form_url: str = ""):
        """Close out or dismiss with a note, after a confirmation page asking for it (None when done)."""
        label = _("Verification note") if kind == "close-out" else _("Reason for dismissal")
        error = None
        if request.POST.get("post") == "yes":
            note = (request.POST.get("note") or "").strip()
            if not note:
                error = (
                    _("Record how the rectification was verified.")
                    if kind == "close-out"
                    else _("Give the reason for dismissing the finding.")
                )
            else:
                done, refused = 0, []
                for finding in queryset:
                    try:
                        if kind == "close-out":
                            findings.close_out(finding, request.user, note)
                        else:
                            findings.dismiss(finding, request.user, note)
                        done += 1
                    except ValidationError as exc:
                        refused.append(f"#{finding.pk}: {' '.join(exc.messages)}")
                if kind == "close-out":
                    text = ngettext("%(count)d finding closed out.", "%(count)d findings closed out.", done)
                else:
                    text = ngettext("%(count)d finding dismissed.", "%(count)d findings dismissed.", done)
                self.message_user(request, text % {"count": done}, messages.SUCCESS)
                if refused:
                    self.message_user(request, "; ".join(refused), messages.WARNING)
                return None
        title = _("Close out findings") if kind == "close-out" else _("Dismiss findings")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "findings": list(queryset.select_related("item", "item__plan", "department")),
            "kind": kind,
            "label": label,
            "error": error,
            "note": request.POST.get("note", ""),
            "form_url": form_url,
            "action_name": request.POST.get("action", ""),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/targets/finding/with_note.html", context)

    @admin.action(description=_("Confirm the selected findings"), permissions=["staff"])
    def confirm_findings(self, request, queryset):
        done = self._confirm(request, queryset)
        self.message_user(
            request, ngettext("%(count)d finding confirmed.", "%(count)d findings confirmed.", done) % {"count": done}
        )

    @admin.action(description=_("Close out the selected findings with a note"), permissions=["staff"])
    def close_out_findings(self, request, queryset):
        return self._with_note(request, queryset, "close-out")

    @admin.action(description=_("Dismiss the selected findings with a reason"), permissions=["staff"])
    def dismiss_findings(self, request, queryset):
        return self._with_note(request, queryset, "dismiss")

    @admin.action(description=_("Request close-out"), permissions=["request_closure"])
    def request_closure_of_findings(self, request, queryset):
        done, refused = 0, []
        for finding in queryset:
            if not may_work_on(request, finding):
                refused.append(f"#{finding.pk}: {gettext('not a finding of your unit')}")
                continue
            try:
                findings.request_closure(finding, request.user)
                done += 1
            except ValidationError as exc:
                refused.append(f"#{finding.pk}: {' '.join(exc.messages)}")
        if done:
            self.message_user(
                request,
                ngettext("Close-out requested for %(count)d finding.", "Close-out requested for %(count)d findings.", done)
                % {"count": done},
            )
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    @admin.action(description=_("Export the three lists of the selected findings (.xlsx)"))
    def export_three_lists(self, request, queryset):
        rows = rounds.rows_of(rounds.findings_for_lists(queryset.order_by("pk")))
        today = timezone.localdate()
        title = f"督办事项三清单（{today.isoformat()}）"
        return xlsx_response(exports.three_lists_xlsx(rows, title), f"三清单-{today.isoformat()}.xlsx")


# --- Extension requests ------------------------------------------------------------------------------


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(DubanAdmin):
    """Extension requests across findings: staff approve or reject them here or on the finding's page."""

    list_display = (
        "finding",
        "unit",
        "previous_deadline",
        "requested_deadline",
        "short_reason",
        "decision",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("decision", ("finding__department", RelatedOnlyExistsFilter), "finding__item__plan")
    list_select_related = ("finding", "finding__item", "finding__department", "requested_by", "decided_by")
    search_fields = ("reason", "finding__item__code", "finding__item__title")
    actions = ("approve", "reject")
    readonly_fields = (
        "finding",
        "reason",
        "requested_deadline",
        "previous_deadline",
        "requested_by",
        "requested_at",
        "decision",
        "decided_by",
        "decided_at",
    )

    def has_add_permission(self, request):
        return False  # requested on the finding's page

    def has_change_permission(self, request, obj=None):
        return False  # decided by the actions (targets.findings.decide_extension)

    def has_staff_permission(self, request):
        return is_staff(request)

    @admin.display(description=_("lead unit"), ordering="finding__department__name")
    def unit(self, obj):
        return obj.finding.department or EMPTY

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return short(obj.reason, 40)

    def _decide(self, request, queryset, approve: bool):
        done, refused = 0, []
        for extension in queryset.select_related("finding"):
            try:
                findings.decide_extension(extension, request.user, approve=approve)
                done += 1
            except ValidationError as exc:
                refused.append(f"#{extension.pk}: {' '.join(exc.messages)}")
        text = ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    @admin.action(description=_("Approve the selected extension requests"), permissions=["staff"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected extension requests"), permissions=["staff"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


# --- Supervision rounds and notices --------------------------------------------------------------------


class RoundForm(DubanModelForm):
    class Meta:
        model = SupervisionRound
        fields = ("plan", "date", "title", "kind", "notes", "issuing_office")


@admin.register(SupervisionRound)
class SupervisionRoundAdmin(DubanAdmin):
    form = RoundForm
    change_list_template = "admin/targets/supervisionround/change_list.html"
    change_form_template = "admin/targets/supervisionround/change_form.html"
    list_display = ("label", "title", "date", "kind", "plan", "entry_count", "notices_sent")
    list_display_links = ("label", "title")
    list_filter = ("plan", "kind")
    list_select_related = ("plan",)
    search_fields = ("title", "notes")
    date_hierarchy = "date"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                duban_entries=Count("entries", distinct=True),
                duban_sent=Count("dispatches", filter=Q(dispatches__sent_at__isnull=False), distinct=True),
            )
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("plan", "date", "title", "kind", "issuing_office", "notes")})]
        return [
            (None, {"fields": ("plan", "label", "date", "title", "kind", "issuing_office", "notes")}),
            (_("Record"), {"fields": (("created_by", "created_at"),), "classes": ("collapse",)}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("plan", "label", "created_by", "created_at")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        plan = current_plan()
        if plan is not None:
            initial.setdefault("plan", plan.pk)
        initial.setdefault("date", timezone.localdate())
        return initial

    @admin.display(description=_("round"), ordering="number")
    def label(self, obj):
        return rounds.round_label(obj) if obj.pk else EMPTY

    @admin.display(description=_("findings"), ordering="duban_entries")
    def entry_count(self, obj):
        return obj.duban_entries

    @admin.display(description=_("notices sent"), ordering="duban_sent")
    def notices_sent(self, obj):
        return obj.duban_sent

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save()
            return
        created = rounds.start_round(
            obj.plan, obj.date, obj.title, obj.kind, request.user, notes=obj.notes, issuing_office=obj.issuing_office
        )
        # The admin goes on with `obj` (log entry, redirect): make it the round just created.
        obj.pk, obj.number, obj.created_by, obj.created_at = created.pk, created.number, created.created_by, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db

    def response_add(self, request, obj, post_url_continue=None):
        count = obj.entries.count()
        self.message_user(
            request,
            ngettext(
                "Round %(round)s opened with %(count)d open finding.",
                "Round %(round)s opened with %(count)d open findings.",
                count,
            )
            % {"round": rounds.round_label(obj), "count": count},
        )
        return HttpResponseRedirect(reverse("admin:targets_supervisionround_change", args=[obj.pk]))

    def changelist_view(self, request, extra_context=None):
        sent = Q(rounds__dispatches__sent_at__isnull=False)
        plans = Plan.objects.annotate(
            duban_rounds=Count("rounds", distinct=True), duban_sent=Count("rounds__dispatches", filter=sent, distinct=True)
        ).order_by("-year")
        extra_context = {**(extra_context or {}), "duban_plans": plans}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context = {
                **(extra_context or {}),
                "duban_round": obj,
                "duban_label": rounds.round_label(obj),
                "duban_entries": [{**row, "cause": cause_label(row.get("cause"))} for row in rounds.entries(obj)],
                "duban_units": rounds.units(obj),
                "duban_staff": is_staff(request),
                "duban_dispatched": obj.dispatches.exists(),
                "duban_plan_sent": rounds.dispatch_count(obj.plan),
                "duban_lights": LIGHT_LABELS,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/three-lists.xlsx", view(self.xlsx_view), name="targets_supervisionround_xlsx"),
            path(
                "<path:object_id>/notice/<int:department_id>.docx", view(self.notice_view), name="targets_supervisionround_notice"
            ),
            path(
                "<path:object_id>/dispatch/<int:department_id>/",
                view(self.dispatch_view),
                name="targets_supervisionround_dispatch",
            ),
            path("<path:object_id>/refresh/", view(self.refresh_view), name="targets_supervisionround_refresh"),
            *super().get_urls(),
        ]

    def _round(self, request, object_id) -> SupervisionRound:
        round_ = self.get_object(request, unquote(object_id))
        if round_ is None:
            raise Http404
        if not self.has_view_permission(request, round_):
            raise PermissionDenied
        return round_

    def xlsx_view(self, request, object_id):
        content, filename = rounds.round_xlsx(self._round(request, object_id))
        return xlsx_response(content, filename)

    def notice_view(self, request, object_id, department_id):
        round_ = self._round(request, object_id)
        department = get_object_or_404(Department, pk=department_id)
        notice = rounds.unit_notice(round_, department)
        if notice is None:
            raise Http404
        return docx_response(*notice)

    def dispatch_view(self, request, object_id, department_id):
        round_ = self._round(request, object_id)
        if request.method != "POST" or not is_staff(request):
            raise PermissionDenied
        department = get_object_or_404(Department, pk=department_id)
        existed = Dispatch.objects.filter(round=round_, department=department).exists()
        try:
            record = rounds.dispatch(round_, department, request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            if existed:
                self.message_user(
                    request,
                    gettext("The notice %(number)s was already recorded as sent.") % {"number": record.number},
                    messages.INFO,
                )
            else:
                self.message_user(
                    request,
                    gettext("Notice %(number)s to %(unit)s recorded as sent; reply due %(date)s.")
                    % {"number": record.number, "unit": department, "date": iso(record.reply_due)},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(reverse("admin:targets_supervisionround_change", args=[round_.pk]))

    def refresh_view(self, request, object_id):
        round_ = self._round(request, object_id)
        if request.method != "POST" or not is_staff(request):
            raise PermissionDenied
        try:
            count = rounds.refresh(round_)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                ngettext("%(count)d open finding in the round.", "%(count)d open findings in the round.", count)
                % {"count": count},
            )
        return HttpResponseRedirect(reverse("admin:targets_supervisionround_change", args=[round_.pk]))


@admin.register(Dispatch)
class DispatchAdmin(DubanAdmin):
    """Notices sent (the "21 份"); recorded from the round's page, staff note when the reply came in."""

    list_display = ("number", "round", "department", "items", "sent_at", "reply_due", "replied_on", "reply_overdue")
    list_filter = ("round__plan", ("department", RelatedOnlyExistsFilter), "round")
    list_select_related = ("round", "round__plan", "department")
    search_fields = ("number", "department__name", "department__short_name")
    fields = ("number", "round", "department", "items", "sent_at", "reply_due", "replied_on")
    readonly_fields = ("number", "round", "department", "items", "sent_at", "reply_due")

    def has_add_permission(self, request):
        return False  # recorded from the round's page (targets.rounds.dispatch)

    @admin.display(description=_("reply overdue"), boolean=True)
    def reply_overdue(self, obj):
        return obj.replied_on is None and obj.reply_due is not None and obj.reply_due < timezone.localdate()


# --- Supervision runs ------------------------------------------------------------------------------------


class RunForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.order_by("-year"))
    as_of = forms.DateField(label=_("as of"), widget=widgets.AdminDateWidget)


@admin.register(SupervisionRun)
class SupervisionRunAdmin(DubanAdmin):
    change_list_template = "admin/targets/supervisionrun/change_list.html"
    list_display = ("as_of", "plan", "items", "counts_display", "opened", "escalated", "ready_to_close", "finished_at")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False  # runs are made by the job or the "run now" page

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("counts per colour"))
    def counts_display(self, obj):
        counts = obj.counts or {}
        return format_html_join(" ", "{} {}", ((badge(status), counts.get(status, 0)) for status in StatusChoice.values))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "duban_may_run": is_staff(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("run/", self.admin_site.admin_view(self.run_view), name="targets_supervisionrun_run"), *super().get_urls()]

    def run_view(self, request):
        if not is_staff(request):
            raise PermissionDenied
        from ..supervision import RunInProgress, supervise

        today = timezone.localdate()
        form = RunForm(request.POST or None, initial={"plan": current_plan(today), "as_of": today})
        if request.method == "POST" and form.is_valid():
            try:
                summary = supervise(form.cleaned_data["plan"], form.cleaned_data["as_of"])
            except RunInProgress:
                self.message_user(
                    request, gettext("Another supervision run of this plan is in progress; try again later."), messages.ERROR
                )
                return HttpResponseRedirect(reverse("admin:targets_supervisionrun_changelist"))
            colours = ", ".join(f"{LIGHT_LABELS[s]} {summary.counts.get(s, 0)}" for s in StatusChoice.values)
            text = gettext(
                "Plan %(year)s evaluated on %(dates)s: %(items)s items (%(colours)s); %(events)s colour changes; "
                "findings opened %(opened)s, escalated %(escalated)s, ready to close %(ready)s."
            ) % {
                "year": summary.plan,
                "dates": ", ".join(d.isoformat() for d in summary.dates),
                "items": summary.items,
                "colours": colours,
                "events": summary.events,
                "opened": summary.opened,
                "escalated": summary.escalated,
                "ready": summary.ready_to_close,
            }
            self.message_user(request, text, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:targets_supervisionrun_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run supervision now"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/targets/supervisionrun/run.html", context)


# --- Status overrides and working days (staff only) ------------------------------------------------------


class StaffOnlyViewMixin:
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_staff(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_staff(request)


class StatusOverrideForm(DubanModelForm):
    class Meta:
        model = StatusOverride
        fields = ("item", "status", "reason", "valid_from", "valid_until")

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Give the reason for overriding the status."), code="required")
        return reason

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end must not be before the start."))
        return data


@admin.register(StatusOverride)
class StatusOverrideAdmin(StaffOnlyViewMixin, DubanAdmin):
    """A staff decision to show an item in another colour; the reason is required, every change audited."""

    form = StatusOverrideForm
    list_display = ("item", "status_badge", "short_reason", "valid_from", "valid_until", "created_by", "created_at")
    list_filter = ("status", "item__plan", "item__kind")
    list_select_related = ("item", "created_by")
    search_fields = ("item__code", "item__title", "reason")
    autocomplete_fields = ("item",)
    readonly_fields = ("created_by", "created_at")
    fields = ("item", "status", "reason", ("valid_from", "valid_until"), ("created_by", "created_at"))

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.status)

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return short(obj.reason, 50)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("valid_from", timezone.localdate())
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(StaffOnlyViewMixin, StaffWriteMixin, admin.ModelAdmin):
    """Local working-day decisions over the PRC calendar (deadlines and reply dates count working days)."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)

    class Media:
        css = {"all": ["duban/admin.css"]}
