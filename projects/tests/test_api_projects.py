"""Projects and blockers over the API: the field contract, status as_of, blocker validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from projects.tests.factories import BlockerFactory, ProjectFactory
from targets.models import StatusSnapshot, SupervisionRun


def test_project_fields(api, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"], title="椒江大桥")
    SupervisionRun.objects.create(plan=plan, as_of=dt.date(2023, 6, 30), finished_at=timezone.now())
    StatusSnapshot.objects.create(
        item=project, date=dt.date(2023, 6, 30), status="yellow", value_status="yellow", milestone_status="grey",
        reporting_status="green", expected=Decimal("4000"), actual=Decimal("3000"), ratio=Decimal("0.75"),
    )  # fmt: skip
    data = api(unit_user).get(f"/api/v1/projects/{project.pk}/").json()
    assert data["name"] == "椒江大桥"
    assert data["total_investment"] == "20000.000"
    assert data["annual_plan_investment"] == "8000.000"
    assert (data["status"], data["expected_value"], data["actual_value"]) == (
        "yellow",
        "4000.000",
        "3000.000",
    )  # three decimals (issue 10)
    for field in ["id", "plan", "code", "lead_department", "category", "stage", "ratio", "forecast_value"]:
        assert field in data
    early = api(unit_user).get(f"/api/v1/projects/{project.pk}/", {"as_of": "2023-06-29"}).json()
    assert early["status"] == "grey"


def test_blocker_resolved_before_raised_is_a_400(api, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    response = api(unit_user).post(
        "/api/v1/blockers/",
        {
            "project": project.pk,
            "category": "land",
            "description": "征迁",
            "raised_on": "2023-05-01",
            "resolved_on": "2023-04-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["resolved_on"][0]["code"] == "end_before_start"


def test_milestones_and_reports_name_the_project(api, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    BlockerFactory(project=project)
    client = api(unit_user)
    response = client.post(
        "/api/v1/milestones/",
        {"project": project.pk, "title": "开工", "kind": "start", "planned_date": "2023-03-01"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.data["project"], response.data["target"]) == (project.pk, None)
    rows = client.get("/api/v1/milestones/", {"project": project.pk}).json()["results"]
    assert [r["id"] for r in rows] == [response.data["id"]]
    assert client.get("/api/v1/milestones/", {"target": project.pk}).json()["count"] == 0
    assert client.get("/api/v1/blockers/", {"project": project.pk}).json()["count"] == 1


def test_it_lists_projects_with_the_status_their_detail_shows(api, unit_user, plan, departments):
    judged, unjudged = ProjectFactory(plan=plan), ProjectFactory(plan=plan)
    SupervisionRun.objects.create(plan=plan, as_of=dt.date(2023, 6, 30), finished_at=timezone.now())
    StatusSnapshot.objects.create(
        item=judged, date=dt.date(2023, 6, 30), status="red", value_status="red", milestone_status="grey",
        reporting_status="green", expected=Decimal("4000"), actual=Decimal("1000.5"), ratio=Decimal("0.25"),
    )  # fmt: skip
    client = api(unit_user)
    listed = {row["id"]: row for row in client.get("/api/v1/projects/").json()["results"]}
    assert (listed[judged.pk]["status"], listed[judged.pk]["actual_value"]) == ("red", "1000.500")
    assert (listed[unjudged.pk]["status"], listed[unjudged.pk]["expected_value"]) == ("grey", None)
    for project in (judged, unjudged):
        assert client.get(f"/api/v1/projects/{project.pk}/").json() == listed[project.pk]
