"""The project list's exports: the register table (重大项目台账, projects.documents.register_table) and the monthly scheduling table (月度调度表).

It is targets.admin.exports.ExcelExportMixin's export of the list. The monthly table is
<changelist>/monthly.xlsx?month=2023-07 plus the list's own query string: every project of that
year's plan that the list shows with its filters and search (projects.documents.monthly_table). The list page
offers it through a small form (month select, default the last complete month) in
templates/admin/projects/project/export_tools.html.
"""

# ruff: noqa: ARG002

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext

from targets.admin.exports import ExcelExportMixin, as_of_for
from targets.documents.downloads import xlsx_response
from targets.documents.spreadsheets import table_xlsx
from targets.models import Plan

from ..documents.monthly_table import last_complete_month, month_label, monthly_table, monthly_xlsx, parse_month
from ..documents.register_table import register_table

MONTH_PARAM = "month"


def month_choices(today: dt.date, plans=None) -> list[tuple[str, str]]:
    """(value, label) of the months a table can be made for: 2月 (1—2月) up to the last complete
    month of each plan's year, newest first."""
    plans = Plan.objects.order_by("-year")[:3] if plans is None else plans
    last = last_complete_month(today)
    choices = []
    for plan in plans:
        for month in range(12, 1, -1):
            end = dt.date(plan.year, month, 1)
            if end > last:
                continue
            choices.append((f"{plan.year}-{month:02d}", f"{plan.year}年{month_label(end)}"))
    return choices


def default_month(choices: list[tuple[str, str]], today: dt.date) -> str:
    wanted = f"{last_complete_month(today):%Y-%m}"
    values = [value for value, _label in choices]
    return wanted if wanted in values else (values[0] if values else wanted)


class ProjectExportMixin(ExcelExportMixin):
    def export_workbook(self, request, queryset):
        projects = list(queryset)
        as_of = as_of_for(projects)
        return table_xlsx(register_table(projects, as_of)), f"重大项目台账-{as_of.isoformat()}.xlsx"

    def get_urls(self):
        view = self.admin_site.admin_view(self.monthly_view)
        return [path("monthly.xlsx", view, name=self.export_url_name("monthly")), *super().get_urls()]

    def monthly_error(self, request, params, text: str):
        self.message_user(request, text, messages.ERROR)
        return self.changelist_redirect(request, params)

    def monthly_view(self, request):
        """The table for ?month=YYYY-MM (default: the last complete month) over the list's rows."""
        today = timezone.localdate()
        params = request.GET.copy()
        raw = params.pop(MONTH_PARAM, [""])[-1] or f"{last_complete_month(today):%Y-%m}"
        try:
            month_end = parse_month(raw)
        except ValueError:
            return self.monthly_error(request, params, gettext("Choose the month as YYYY-MM, e.g. 2023-07."))
        if month_end.month == 1:
            return self.monthly_error(
                request, params, gettext("January is reported together with February: choose February (Jan–Feb).")
            )
        if month_end.replace(day=1) > today:
            return self.monthly_error(request, params, gettext("That month has not begun yet."))
        plan = Plan.objects.filter(year=month_end.year).first()
        if plan is None:
            return self.monthly_error(request, params, gettext("There is no plan for %(year)s.") % {"year": month_end.year})
        # The list's own parameters only: ChangeList refuses ones it does not know.
        request.GET = params
        changelist = self.export_changelist(request)
        if changelist is None:
            return self.changelist_redirect(request, params)
        table = monthly_table(plan, month_end, changelist.queryset)
        return xlsx_response(monthly_xlsx(table), table.filename)

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        choices = month_choices(today)
        hidden = [(key, value) for key, value in request.GET.items() if key not in {"p", "e", MONTH_PARAM}]
        extra_context = {
            **(extra_context or {}),
            "duban_month_choices": choices,
            "duban_default_month": default_month(choices, today),
            "duban_list_params": hidden,
        }
        return super().changelist_view(request, extra_context)
