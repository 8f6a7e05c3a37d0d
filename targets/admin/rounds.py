"""Supervision rounds (督查轮次) in the admin: a round's findings and notices, its .xlsx and
.docx, sending each unit its notice (Dispatch) and watching the replies."""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.
# ruff: noqa: ARG002

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..documents.downloads import docx_response, xlsx_response
from ..findings import rounds
from ..formatting import EMPTY
from ..headlines import current_plan
from ..models import (
    Department,
    Dispatch,
    Plan,
    SupervisionRound,
)
from .finding_lists import cause_label
from .helpers import DubanAdmin, DubanModelForm, is_staff, iso
from .paging import RelatedOnlyExistsFilter
from .status import LIGHT_LABELS


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
        return False  # recorded from the round's page (targets.findings.rounds.dispatch)

    @admin.display(description=_("reply overdue"), boolean=True)
    def reply_overdue(self, obj):
        return obj.replied_on is None and obj.reply_due is not None and obj.reply_due < timezone.localdate()
