"""The dashboard's two admin views: the page and its .xlsx (the same plan, month and filters).

Bureau staff and superusers only (targets.admin.helpers.is_staff): a unit's user gets 403, an
anonymous visitor the admin login (the views are wrapped in admin_site.admin_view).
"""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from targets.admin.helpers import is_staff
from targets.choices import FindingLevel, StatusChoice
from targets.documents.downloads import docx_response
from targets.documents.spreadsheets import XLSX_CONTENT_TYPE
from targets.headlines import current_plan
from targets.reasons import LIGHT_LABELS, badge

from ..documents import circular
from ..documents import circular_docx as circular_document
from . import compare
from . import filters as dashboard_filters
from .battle_map import DONE, OVERDUE, PLANNED, SYMBOLS
from .data import Pages, build
from .investment import chart
from .paging import PARAMS
from .xlsx import dashboard_workbook

TEMPLATE = "admin/dashboard/index.html"
ANCHORS = {"map": "dash-battle-map", "units": "dash-units", "groups": "dash-responsibility", "ranking": "dash-ranking"}


def _selection(request):
    """(plan, filters, options, errors), or (None, …) when no plan is loaded."""
    if not is_staff(request):
        raise PermissionDenied
    today = timezone.localdate()
    plan = current_plan(today)
    if plan is None:
        return None, None, None, []
    offered = dashboard_filters.options(plan)
    chosen, errors = dashboard_filters.parse(request.GET, plan, offered, today)
    return plan, chosen, offered, errors


def changelist_query(plan, filters) -> str:
    """The project change list's filters (projects.admin.ProjectAdmin.list_filter) for the dashboard's selection."""
    params = {"plan__id__exact": plan.pk}
    for key, value in (
        ("lead_department__id__exact", filters.unit_id),
        ("responsible_leader__id__exact", filters.leader_id),
        ("category", filters.category),
        ("level", filters.level),
    ):
        if value:
            params[key] = value
    return urlencode(params)


def pager(params, key: str, page) -> dict:
    """Querystrings of a section's first, previous, next and last pages (other sections keep theirs)."""

    def link(number: int) -> str:
        query = params.copy()
        query.pop("fresh", None)
        query[PARAMS[key]] = str(number)
        return f"?{query.urlencode()}#{ANCHORS[key]}"

    return {
        "page": page,
        "first": link(1) if page.previous else "",
        "previous": link(page.previous) if page.previous else "",
        "next": link(page.next) if page.next else "",
        "last": link(page.pages) if page.next else "",
    }


def dashboard_view(request, site):
    plan, chosen, offered, errors = _selection(request)
    context = {**site.each_context(request), "title": _("Dashboard: three charts"), "plan": plan, "errors": errors}
    if plan is None:
        return TemplateResponse(request, TEMPLATE, context)
    data = build(plan, chosen, Pages.from_query(request.GET), fresh=request.GET.get("fresh") == "1")
    investment = data.investment
    project_url = reverse("admin:projects_project_changelist")
    selection = changelist_query(plan, chosen)
    context.update(
        {
            "data": data,
            "filters": chosen,
            "options": offered,
            "querystring": chosen.querystring(),
            "cache_minutes": settings.DUBAN_DASHBOARD_CACHE_SECONDS // 60,
            "register_chart": chart(investment, investment.register, _("Whole register: cumulative plan and actual (10k yuan)")),
            "unit_charts": [(series, chart(investment, series, series.label)) for series in investment.page_units],
            "pagers": {
                "map": pager(request.GET, "map", data.battle_map.page),
                "units": pager(request.GET, "units", investment.page),
                "groups": pager(request.GET, "groups", data.responsibility.page),
                "ranking": pager(request.GET, "ranking", data.ranking_page),
            },
            "more": {
                "projects": f"{project_url}?{selection}",
                "overdue": f"{project_url}?{selection}&milestones=overdue",
                "red_projects": f"{project_url}?{selection}&light=red",
                "red_goals": f"{reverse('admin:targets_target_changelist')}?plan__id__exact={plan.pk}&light=red",
            },
            "symbols": [
                (SYMBOLS[PLANNED], _("milestone planned in the month")),
                (SYMBOLS[DONE], _("milestone done in the month")),
                (SYMBOLS[OVERDUE], _("milestone overdue: planned date passed without an actual date (black flag)")),
            ],
            "lights": [(status, badge(status), LIGHT_LABELS[status]) for status in StatusChoice.values],
            "levels": dict(FindingLevel.choices),
            "goal_url": reverse("admin:targets_target_changelist"),
            "project_url": project_url,
            "finding_url": reverse("admin:targets_finding_changelist"),
            "selected_unit": dict(offered.units).get(chosen.unit_id),
            "selected_leader": dict(offered.leaders).get(chosen.leader_id),
            "selected_category": dict(offered.categories).get(chosen.category),
            "selected_level": dict(offered.levels).get(chosen.level),
        }
    )
    if request.GET.get(compare.PARAM) == compare.VALUE:
        context["previous_year"] = compare.previous_year(plan, chosen)
    return TemplateResponse(request, TEMPLATE, context)


def dashboard_xlsx(request, site):
    """Every row of every section as .xlsx, written to a temporary file and streamed from it (constant memory)."""
    plan, chosen, offered, errors = _selection(request)
    if plan is None or errors:
        # Show the page with the messages rather than a workbook of something else than was asked.
        response = dashboard_view(request, site)
        response.status_code = 400
        return response
    with translation.override("zh-hans"):  # figures formatted as text read in Chinese, like the headers
        data = build(plan, chosen)  # the page's figures (the same cache), then every row read afresh
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    dashboard_workbook(data, offered, target)
    target.seek(0)
    filename = f"dashboard-{plan.year}-{chosen.month:%m}.xlsx"
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def circular_docx(request, site):
    """The month's 督查通报 (.docx) for the dashboard's plan and month (filters do not apply: it covers every unit)."""
    plan, chosen, _offered, errors = _selection(request)
    if plan is None or errors:
        response = dashboard_view(request, site)
        response.status_code = 400
        return response
    data = circular.gather(plan, chosen.month)
    return docx_response(circular_document.circular_docx(data), circular_document.file_name(data))
