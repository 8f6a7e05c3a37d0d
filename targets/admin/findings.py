"""The finding register (督办事项) in the admin: FindingAdmin, the form, the change page and its saves.

Its list (the three lists) is in finding_lists, its state changes in finding_actions, the rows under
a finding in finding_inlines and the 督办 loop in loop; extension requests have their own list in
extensions.

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

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import evidence, findings
from ..choices import FindingCause, FindingSource, FindingState
from ..headlines import current_plan
from ..models import (
    Evidence,
    ExtensionRequest,
    Finding,
    FindingReply,
    FindingUpdate,
)
from ..permissions import user_department_id
from .evidence import FindingEvidenceInline
from .exports import FindingExportMixin
from .finding_actions import FindingActionsMixin
from .finding_inlines import EscalationInline, ExtensionRequestInline, FindingUpdateInline
from .finding_lists import ConfirmedFilter, FindingListMixin, FindingStateFilter, ListModeFilter
from .helpers import DubanAdmin, DubanModelForm, is_staff, may_work_on
from .list_filters import my_unit_filter
from .loop import FindingLoopMixin, FindingReplyInline, RecheckFilter
from .paging import RelatedOnlyExistsFilter


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
class FindingAdmin(FindingListMixin, FindingActionsMixin, FindingLoopMixin, FindingExportMixin, DubanAdmin):
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
                created = findings.submit_reply(finding, data["text"], request.user, dispatch=data.get("dispatch"))
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
