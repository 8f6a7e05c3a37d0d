"""Excel exports from the admin lists: a "导出Excel" button and an "导出所选" action on a changelist.

ExcelExportMixin (before the admin's other bases) adds to a ModelAdmin:
- the view <changelist>/export.xlsx (URL name "<app>_<model>_export"): the ChangeList built from
  the request's query string (self.get_changelist_instance), so the file holds exactly the rows the
  list shows, with its filters, search and ordering, on every page;
- the action "export_selected" (导出所选): the selected rows, in the list's order;
- duban_export_url in the changelist context, for the button (templates/admin/duban/export_button.html).

Whoever may view the list may export it: the list already decides which rows a user sees, and the
export never widens it. Subclasses implement export_workbook(request, queryset) -> (bytes, filename).
Files are Chinese in every interface language (see targets.documents.three_lists).
"""

# Django's admin hooks have fixed signatures.
# ruff: noqa: ARG002

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..documents import three_lists
from ..documents.downloads import xlsx_response
from ..documents.goals_table import goals_table
from ..documents.spreadsheets import table_xlsx
from ..findings import rounds
from ..headlines import attach_actuals, plan_as_of


def as_of_for(rows) -> dt.date:
    """The date a ledger reads at: its plan's (today, or the year end once the plan is over)."""
    plans = {row.plan_id: row.plan for row in rows}
    if len(plans) == 1:
        return plan_as_of(next(iter(plans.values())))
    return timezone.localdate()


class ExcelExportMixin:
    export_selected_in_actions = True  # False where the admin already has its own export action

    def export_workbook(self, request, queryset) -> tuple[bytes, str]:
        raise NotImplementedError("an export mixin returns (xlsx bytes, file name) for the queryset")

    def export_url_name(self, suffix: str = "export") -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self):
        view = self.admin_site.admin_view(self.export_view)
        return [path("export.xlsx", view, name=self.export_url_name()), *super().get_urls()]

    def changelist_redirect(self, request, params=None) -> HttpResponseRedirect:
        url = reverse(f"admin:{self.export_url_name('changelist')}")
        query = (params if params is not None else request.GET).urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def export_changelist(self, request):
        """The list as the user sees it (None when its query string is invalid: a message is set)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            return self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, gettext("The list's filters are not valid: nothing was exported."), messages.ERROR)
            return None

    def export_view(self, request):
        changelist = self.export_changelist(request)
        if changelist is None:
            return self.changelist_redirect(request)
        return xlsx_response(*self.export_workbook(request, changelist.queryset))

    @admin.action(description=_("Export selected (.xlsx)"))
    def export_selected(self, request, queryset):
        return xlsx_response(*self.export_workbook(request, queryset))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.export_selected_in_actions and self.has_view_or_change_permission(request):
            actions["export_selected"] = self.get_action("export_selected")
        return actions

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "duban_export_url": reverse(f"admin:{self.export_url_name()}")}
        return super().changelist_view(request, extra_context)


class TargetExportMixin(ExcelExportMixin):
    """The goal ledger (目标任务台账)."""

    def export_workbook(self, request, queryset):
        goals = list(queryset.select_related("plan", "lead_department", "responsible_leader"))
        attach_actuals(goals)
        as_of = as_of_for(goals)
        return table_xlsx(goals_table(goals, as_of)), f"目标任务台账-{as_of.isoformat()}.xlsx"


class FindingExportMixin(ExcelExportMixin):
    """The three lists (三清单) of the findings shown, one sheet each, in the list's order.

    The selected-rows export is FindingAdmin's own action export_three_lists.
    """

    export_selected_in_actions = False

    def export_workbook(self, request, queryset):
        rows = [rounds.three_lists_row(f) for f in rounds.findings_for_lists(queryset)]
        today = timezone.localdate()
        title = f"督办事项三清单（{today.isoformat()}）"
        return three_lists.three_lists_xlsx(rows, title), f"三清单-{today.isoformat()}.xlsx"
