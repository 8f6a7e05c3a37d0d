"""A finding's state changes from the admin: the buttons on its page and the list's bulk actions.
FindingAdmin mixes in FindingActionsMixin. Every view checks the rule and calls targets.findings, which
checks it again: units ask for close-out of their own findings; staff confirm, close out, dismiss and
decide extension requests."""

# Django's admin hooks have fixed signatures; many overrides here judge only one of their arguments.
# ruff: noqa: ARG002

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import findings
from ..documents import three_lists
from ..documents.downloads import xlsx_response
from ..findings import rounds
from ..models import (
    ExtensionRequest,
    Finding,
)
from .helpers import is_staff, may_work_on


class FindingActionsMixin:
    """The transition views (buttons on a finding's page) and the bulk actions of FindingAdmin."""

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
        return xlsx_response(three_lists.three_lists_xlsx(rows, title), f"三清单-{today.isoformat()}.xlsx")
