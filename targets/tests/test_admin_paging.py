"""Change lists on a large register: counts estimated above a threshold (and said so), deep pages read by key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.admin import ProjectAdmin
from projects.models import Project
from projects.tests.factories import ProjectFactory
from targets import admin_paging

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
