"""The API where goals and the register's projects meet: a finding's or a report's item is a `target`
or a `project`, and the lists of both apps cost the same queries whatever the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.api import views
from targets.api.serializers import FindingSerializer
from targets.models import Finding
from targets.tests.factories import MilestoneFactory, ProgressReportFactory, TargetFactory
from targets.tests.test_api_fast_paths import APRIL, MARCH, drf_representation
from targets.tests.test_api_progress_reports import post

from .factories import BlockerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_it_serializes_findings_as_drf_does(plan, departments):
    goal, project = TargetFactory(plan=plan), ProjectFactory(plan=plan)
    on_goal = Finding.objects.create(item=goal, cause="red", opened_on=MARCH, deadline=APRIL, gap=Decimal("-2.5"))
    on_project = Finding.objects.create(item=project, cause="red", opened_on=MARCH, deadline=APRIL)
    # Added out of name order: the relation lists them by name.
    on_project.cooperating_departments.add(departments["alpha"], departments["bureau"], departments["beta"])
    serializer = FindingSerializer()
    for finding in views.attach_links(list(Finding.objects.all())):
        fast, drf = serializer.to_representation(finding), drf_representation(serializer, finding)
        assert {k: v for k, v in fast.items() if k not in {"target", "project"}} == {
            k: v for k, v in drf.items() if k not in {"target", "project"}
        }
    assert (fast["target"], fast["project"]) == (None, project.pk)
    assert fast["cooperating_departments"] == [d.pk for d in Finding.objects.get(pk=on_project.pk).cooperating_departments.all()]
    assert serializer.to_representation(Finding.objects.get(pk=on_goal.pk))["target"] == goal.pk


def test_it_lists_and_shows_findings_alike(api, unit_user, plan, departments):
    finding = Finding.objects.create(item=ProjectFactory(plan=plan), cause="red", opened_on=MARCH, deadline=APRIL)
    finding.cooperating_departments.add(departments["beta"], departments["alpha"])
    client = api(unit_user)
    [listed] = client.get("/api/v1/findings/").json()["results"]
    assert client.get(f"/api/v1/findings/{finding.pk}/").json() == listed
    assert listed["cooperating_departments"] == [d.pk for d in finding.cooperating_departments.all()]
    assert (listed["target"], listed["project"]) == (None, finding.item_id)


@pytest.mark.parametrize("resource", ["targets", "milestones", "progress-reports", "findings", "projects", "blockers"])
def test_list_queries_do_not_grow_with_the_page(api, unit_user, plan, departments, resource):
    def add(n: int) -> None:
        for _ in range(n):
            goal = TargetFactory(plan=plan)
            project = ProjectFactory(plan=plan)
            MilestoneFactory(item=project)
            ProgressReportFactory(item=goal)
            BlockerFactory(project=project)
            Finding.objects.create(item=goal, cause="red", opened_on=MARCH, deadline=APRIL)

    client = api(unit_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/{resource}/", {"page_size": 200}).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    count()  # the first request also stamps the token's last_used_at
    few = count()
    add(20)
    assert count() == few


def test_an_item_is_required_and_only_one(api, unit_user, plan, departments):
    alpha = api(unit_user)
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    assert post(alpha, as_of="2023-04-30", value="1").data["target"][0]["code"] == "item_missing"
    both = post(alpha, target=goal.pk, project=project.pk, as_of="2023-04-30", value="1")
    assert both.data["target"][0]["code"] == "both_items"
    assert post(alpha, project=project.pk, as_of="2023-04-30", value="100").status_code == 201
