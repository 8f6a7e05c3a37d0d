"""The 月度锁定 admin: the closed months of each plan, a page to close one, reopening with a reason.

A thin shell over targets.periods (the same rules as the close_month / reopen_month commands).
Everyone with access sees which months are closed; only bureau staff close and reopen them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import periods
from ..choices import StatusChoice
from ..headlines import current_plan
from ..models import MonthClose, Plan
from .helpers import DubanAdmin, is_staff
from .status import badge


class CloseForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.order_by("-year"))
    month = forms.CharField(label=_("statistics month"), max_length=7, help_text=_("As YYYY-MM, e.g. 2023-06."))

    def clean_month(self):
        try:
            return periods.parse_month(self.cleaned_data["month"])
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2023-06."), code="invalid") from None


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("reason for reopening"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


@admin.register(MonthClose)
class MonthCloseAdmin(DubanAdmin):
    change_list_template = "admin/targets/monthclose/change_list.html"
    list_display = (
        "month_display", "plan", "state_display", "closed_at", "closed_by", "counts_display", "reopened_by", "reopen_reason",
        "reopen_link",
    )  # fmt: skip
    list_filter = ("plan", "closed")
    list_select_related = ("plan", "closed_by", "reopened_by")
    actions = ("close_again",)

    def has_add_permission(self, request):  # noqa: ARG002
        return False  # months are closed on the "close a month" page

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False  # reopened, never deleted: the row is the month's record

    @admin.display(description=_("statistics month"), ordering="month")
    def month_display(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("state"), ordering="closed")
    def state_display(self, obj):
        return gettext("Closed") if obj.closed else gettext("Reopened")

    @admin.display(description=_("counts per colour"))
    def counts_display(self, obj):
        counts = obj.counts or {}
        return format_html_join(" ", "{} {}", ((badge(status), counts.get(status, 0)) for status in StatusChoice.values))

    @admin.display(description="")
    def reopen_link(self, obj):
        if not obj.closed:
            return ""
        url = reverse("admin:targets_monthclose_reopen", args=[obj.pk])
        return format_html_join("", '<a class="button" style="white-space:nowrap" href="{}">{}</a>', [(url, gettext("Reopen"))])

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "duban_may_close": is_staff(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("close/", view(self.close_view), name="targets_monthclose_close"),
            path("<int:pk>/reopen/", view(self.reopen_view), name="targets_monthclose_reopen"),
            *super().get_urls(),
        ]

    def _page(self, request, form, title: str, intro: str, button: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "button": button,
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/targets/monthclose/form.html", context)

    def _changelist(self):
        return HttpResponseRedirect(reverse("admin:targets_monthclose_changelist"))

    def close_view(self, request):
        if not is_staff(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = CloseForm(request.POST or None, initial={"plan": current_plan(today)})
        if request.method == "POST" and form.is_valid():
            try:
                close = periods.close_month(form.cleaned_data["plan"], form.cleaned_data["month"], request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, closed_message(close), messages.SUCCESS)
                return self._changelist()
        intro = gettext(
            "Closing stores the month's official figures (every goal and project as of the month end) and refuses "
            "any report dated in the month from then on. Every report of the month must be reviewed first."
        )
        return self._page(request, form, gettext("Close a month"), intro, gettext("Close the month"))

    def reopen_view(self, request, pk):
        if not is_staff(request):
            raise PermissionDenied
        close = get_object_or_404(MonthClose.objects.select_related("plan"), pk=pk)
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                periods.reopen_month(close.plan, close.month, request.user, form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                text = gettext("Plan %(year)s, %(month)s reopened.") % {"year": close.plan.year, "month": f"{close.month:%Y-%m}"}
                self.message_user(request, text, messages.SUCCESS)
                return self._changelist()
        intro = gettext(
            "Reopening lets units file and correct reports dated in %(month)s again. Say why; the reason is kept in the "
            "audit log. The month's snapshot is rebuilt when it is closed again."
        ) % {"month": f"{close.month:%Y-%m}"}
        return self._page(request, form, gettext("Reopen a month"), intro, gettext("Reopen"))

    @admin.action(description=_("Close the selected months again"), permissions=["staff"])
    def close_again(self, request, queryset):
        for close in queryset.select_related("plan").order_by("month"):
            try:
                close = periods.close_month(close.plan, close.month, request.user)
            except ValidationError as exc:
                self.message_user(request, f"{close}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                self.message_user(request, closed_message(close), messages.SUCCESS)

    def has_staff_permission(self, request) -> bool:
        return is_staff(request)


def closed_message(close: MonthClose) -> str:
    return gettext("Plan %(year)s, %(month)s closed: the snapshot holds %(items)s items.") % {
        "year": close.plan.year,
        "month": f"{close.month:%Y-%m}",
        "items": close.items,
    }
