"""Change lists on a large register: counts estimated above a threshold (and said so), deep pages read by key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.admin import ProjectAdmin
from projects.models import Project
from projects.tests.factories import ProjectFactory
from targets.admin import paging as admin_paging

LIST = reverse("admin:projects_project_changelist")


@pytest.fixture
def projects(plan):
    return [ProjectFactory(plan=plan, code=f"P{n:03d}") for n in range(12)]


def codes(response) -> list[str]:
    return [obj.code for obj in response.context["cl"].result_list]


def test_it_counts_exactly_up_to_the_threshold(admin_client, projects, settings):
    settings.DUBAN_ADMIN_EXACT_COUNT = 12
    response = admin_client.get(LIST)
    assert response.context["cl"].result_count == 12
    assert not response.context["cl"].paginator.estimated
    assert "估算" not in response.content.decode()


def test_it_shows_the_planners_estimate_above_the_threshold_and_says_so(require_postgres, admin_client, projects, settings):
    settings.DUBAN_ADMIN_EXACT_COUNT = 5
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project; ANALYZE targets_trackeditem")
    response = admin_client.get(LIST)
    paginator = response.context["cl"].paginator
    assert paginator.estimated
    assert paginator.count >= 6  # never below what the capped count saw
    html = response.content.decode()
    assert "（估算）" in html  # (estimated)
    assert f"约{paginator.count}" in html


def test_a_deep_page_holds_the_same_rows_in_the_same_order(admin_client, projects, monkeypatch):
    monkeypatch.setattr(ProjectAdmin, "list_per_page", 4)
    shallow = [codes(admin_client.get(LIST, {"p": n, "o": "1"})) for n in (1, 2, 3)]
    monkeypatch.setattr(admin_paging, "DEEP_OFFSET", 0)  # every page read by its keys first
    deep = [codes(admin_client.get(LIST, {"p": n, "o": "1"})) for n in (1, 2, 3)]
    assert deep == shallow
    assert [code for page in deep for code in page] == [f"P{n:03d}" for n in range(12)]  # ?o=1: by code


def test_a_deep_page_costs_one_query_more_whatever_the_page(admin_client, projects, monkeypatch):
    monkeypatch.setattr(ProjectAdmin, "list_per_page", 5)
    monkeypatch.setattr(admin_paging, "DEEP_OFFSET", 5)  # page 1 by offset, pages 2 and 3 by key

    def queries(page: int) -> int:
        admin_client.get(LIST, {"p": page})
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST, {"p": page}).status_code == 200
        return len(captured)

    first, second, third = queries(1), queries(2), queries(3)
    assert second == third == first + 1
    assert Project.objects.count() == 12


# --- filters and the date hierarchy by index probes --------------------------------------------------

REPORTS = reverse("admin:targets_progressreport_changelist")


@pytest.fixture
def reports(plan, departments):
    import datetime as dt

    from targets.models import ProgressReport

    one = ProjectFactory(plan=plan, code="R1", lead_department=departments["alpha"])
    two = ProjectFactory(plan=plan, code="R2", lead_department=departments["alpha"])
    ProjectFactory(plan=plan, code="R3", lead_department=departments["beta"])  # no report: not offered
    days = [dt.date(2022, 12, 31), dt.date(2023, 3, 31), dt.date(2023, 3, 15), dt.date(2023, 6, 30)]
    for day in days:
        ProgressReport.objects.create(item=one, as_of=day, value=1)
    ProgressReport.objects.create(item=two, as_of=dt.date(2023, 6, 5), value=1)
    return days


def test_the_date_hierarchy_lists_the_periods_that_have_rows(admin_client, reports):
    import datetime as dt

    years = admin_client.get(REPORTS).context["cl"].queryset.dates("as_of", "year")
    assert years == [dt.date(2022, 1, 1), dt.date(2023, 1, 1)]
    cl = admin_client.get(REPORTS, {"as_of__year": "2023"}).context["cl"]
    assert cl.queryset.dates("as_of", "month") == [dt.date(2023, 3, 1), dt.date(2023, 6, 1)]  # April and May: none
    html = admin_client.get(REPORTS, {"as_of__year": "2023", "as_of__month": "6"}).content.decode()
    assert "as_of__day=5" in html
    assert "as_of__day=30" in html
    assert "as_of__day=6&" not in html


def test_the_unit_and_month_filters_offer_what_the_list_holds(admin_client, reports, departments):
    import datetime as dt

    cl = admin_client.get(REPORTS).context["cl"]
    unit = next(f for f in cl.filter_specs if getattr(f, "field_path", "") == "item__lead_department")
    assert isinstance(unit, admin_paging.RelatedOnlyExistsFilter)
    assert [pk for pk, _name in unit.lookup_choices] == [departments["alpha"].pk]  # beta has no report
    from targets.models import ProgressReport

    assert admin_paging.distinct_desc(ProgressReport.objects.all(), "period", 3) == [
        dt.date(2023, 6, 1),
        dt.date(2023, 3, 1),
        dt.date(2022, 12, 1),
    ]
    assert admin_paging.distinct_desc(ProgressReport.objects.all(), "period", 2) == [dt.date(2023, 6, 1), dt.date(2023, 3, 1)]
