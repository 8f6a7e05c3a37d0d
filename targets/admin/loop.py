"""The 督办 loop on a finding's admin page: replies and their review, the timeline, reopening, 回头看.

FindingAdmin (targets.admin.findings) mixes in FindingLoopMixin for the views and shows
FindingReplyInline. Every view checks the rule again and calls targets.findings, which checks it once
more: units answer their own open findings; only bureau staff review, send back, reopen and re-check.
"""

# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Value
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import findings
from ..choices import FindingState, ReplyState
from ..formatting import EMPTY
from ..models import Dispatch, Finding, FindingReply
from .evidence import MultipleUploadField
from .helpers import DubanModelForm, is_staff, may_work_on


class RecheckFilter(admin.SimpleListFilter):
    """回头看: closed findings whose re-check has come (or is scheduled, or done)."""

    title = _("re-check (回头看)")
    parameter_name = "recheck"

    def lookups(self, _request, _model_admin):
        return (("due", _("Due now")), ("scheduled", _("Scheduled")), ("done", _("Done")))

    def queryset(self, _request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return findings.rechecks_due(today, queryset)
        if self.value() == "scheduled":
            return queryset.filter(state=FindingState.CLOSED, recheck_due__gt=today, recheck_result="")
        if self.value() == "done":
            return queryset.exclude(recheck_result="")
        return queryset

    def choices(self, changelist):
        # Re-checks concern closed findings: the links also lift the register's default "open" state filter.
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup, "state": "all"}),
                "display": title,
            }


class ReplyForm(DubanModelForm):
    # 整改报告, photos …: checked and stored by targets.evidence when the reply is saved.
    attachments = MultipleUploadField(label=_("attachments"), required=False)

    class Meta:
        model = FindingReply
        fields = ("text", "dispatch")


class FindingReplyInline(admin.TabularInline):
    """Written replies: the unit (or staff) appends one; staff accept it or send it back."""

    model = FindingReply
    form = ReplyForm
    extra = 0
    can_delete = False
    fields = (
        "text",
        "dispatch",
        "attachments",
        "files",
        "submitted_by",
        "submitted_at",
        "state",
        "reviewed_by",
        "review_comment",
        "review",
    )
    readonly_fields = ("files", "submitted_by", "submitted_at", "state", "reviewed_by", "review_comment", "review")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})}}
    verbose_name = _("written reply")
    verbose_name_plural = _("written replies")

    def has_add_permission(self, request, obj=None):
        # Replies in the admin follow the rule of measures and evidence (targets.findings.rules.may_work_on).
        return may_work_on(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "dispatch" in formset.form.base_fields:
            # Only the notices sent to the finding's unit can be answered here.
            department_id = obj.department_id if obj is not None else None
            formset.form.base_fields["dispatch"].queryset = Dispatch.objects.filter(department_id=department_id)
        return formset

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("submitted_by", "reviewed_by", "dispatch")
            .prefetch_related("files")
            .annotate(duban_staff=Value(is_staff(request)))
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.has_add_permission(request, obj) else tuple(f for f in fields if f != "attachments")

    @admin.display(description=_("attachments"))
    def attachments(self, obj):
        return EMPTY  # saved replies list their files under "files"; the upload is only on a new row

    @admin.display(description=_("files"))
    def files(self, obj):
        if obj is None or obj.pk is None:
            return EMPTY
        links = [(reverse("evidence:download", args=[f.pk]), f.name) for f in obj.files.all()]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', links) or EMPTY

    @admin.display(description=_("review"))
    def review(self, obj):
        if obj is None or obj.pk is None or obj.state != ReplyState.PENDING or not getattr(obj, "duban_staff", False):
            return EMPTY
        accept = reverse("admin:targets_finding_reply", args=[obj.finding_id, obj.pk, "accept"])
        send_back = reverse("admin:targets_finding_reply", args=[obj.finding_id, obj.pk, "return"])
        return format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button> <a class="button" href="{}">{}</a>',
            accept,
            gettext("Accept"),
            send_back,
            gettext("Send back"),
        )


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=4000)


class RecheckForm(NoteForm):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=(
            ("holds", _("Holds: the problem stayed solved")),
            ("relapsed", _("Relapsed: reopen, one level higher")),
            ("move", _("Not yet: move the re-check date")),
        ),
        widget=forms.RadioSelect,
    )
    new_date = forms.DateField(label=_("New re-check date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


LOOP_ACTIONS = {
    # kind: (title, label of the note, form)
    "reopen": (_("Reopen the finding"), _("Reason for reopening"), NoteForm),
    "return-closure": (_("Send the close-out request back"), _("Why it is sent back"), NoteForm),
    "recheck": (_("Record the re-check (回头看)"), _("What the re-check found"), RecheckForm),
}


class FindingLoopMixin:
    """Views of FindingAdmin for the loop's staff steps and reply reviews."""

    def loop_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/loop/<str:kind>/", view(self.loop_view), name="targets_finding_loop"),
            path("<path:object_id>/reply/<int:reply_id>/<str:decision>/", view(self.reply_view), name="targets_finding_reply"),
        ]

    def loop_context(self, request, obj) -> dict:
        staff = is_staff(request)
        return {
            "duban_may_reopen": staff and obj.state == FindingState.CLOSED,
            "duban_may_return_closure": staff and obj.state == FindingState.CLOSURE_REQUESTED,
            "duban_may_recheck": staff and obj.state == FindingState.CLOSED and obj.recheck_due and not obj.recheck_result,
        }

    @admin.display(description=_("timeline"))
    def timeline_display(self, obj):
        if obj is None or obj.pk is None:
            return EMPTY
        rows = findings.timeline(obj)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (row["date"].isoformat(), row["kind"], row["actor"].get_username() if row["actor"] else EMPTY, row["text"] or "")
                for row in rows
            ),
        )
        return format_html(
            '<table class="duban-timeline"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("Date"),
            gettext("Step"),
            gettext("By"),
            gettext("What"),
            body,
        )

    def _finding(self, request, object_id) -> Finding:
        finding = self.get_object(request, unquote(object_id))
        if finding is None:
            raise Http404
        return finding

    def loop_view(self, request, object_id, kind):
        if kind not in LOOP_ACTIONS or not is_staff(request):
            raise PermissionDenied
        finding = self._finding(request, object_id)
        title, label, form_class = LOOP_ACTIONS[kind]
        change_url = reverse("admin:targets_finding_change", args=[finding.pk])
        form = form_class(request.POST or None)
        form.fields["note"].label = label
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if kind == "reopen":
                    findings.reopen(finding, request.user, note)
                    text = gettext("Finding reopened.")
                elif kind == "return-closure":
                    findings.return_closure(finding, request.user, note)
                    text = gettext("Close-out request sent back to the unit.")
                elif form.cleaned_data["result"] == "move":
                    findings.move_recheck(finding, request.user, form.cleaned_data.get("new_date"))
                    text = gettext("Re-check date moved.")
                else:
                    holds = form.cleaned_data["result"] == "holds"
                    findings.record_recheck(finding, request.user, holds=holds, note=note)
                    text = gettext("Re-check recorded.")
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self._note_page(request, finding, title, form)

    def reply_view(self, request, object_id, reply_id, decision):
        if decision not in ("accept", "return") or not is_staff(request):
            raise PermissionDenied
        finding = self._finding(request, object_id)
        reply = get_object_or_404(FindingReply, pk=reply_id, finding=finding)
        change_url = reverse("admin:targets_finding_change", args=[finding.pk])
        if decision == "accept":
            if request.method != "POST":
                raise PermissionDenied
            try:
                findings.review_reply(reply, request.user, accept=True)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, gettext("Reply accepted."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        form = NoteForm(request.POST if request.POST.get("post") == "yes" else None)
        form.fields["note"].label = gettext("Why the reply is sent back")
        if form.is_bound and form.is_valid():
            try:
                findings.review_reply(reply, request.user, accept=False, comment=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                self.message_user(request, gettext("Reply sent back to the unit."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self._note_page(request, finding, gettext("Send the reply back"), form, quoted=reply.text)

    def _note_page(self, request, finding, title, form, quoted: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "finding": finding,
            "form": form,
            "quoted": quoted,
        }
        return TemplateResponse(request, "admin/targets/finding/loop_form.html", context)
