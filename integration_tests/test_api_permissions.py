"""One permission contract for every endpoint of /api/v1/.

Reads: anonymous 401 (with WWW-Authenticate), any login 200. Writes to progress reports, milestones
and blockers: the item's lead unit and bureau staff yes, another unit and read-only tokens 403.
Everything else is read-only over the API (405 for staff, 403 for the rest).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.tests.factories import BlockerFactory, ProjectFactory
from targets.models import Finding, Milestone, ProgressReport, SupervisionRound
from targets.tests.factories import MilestoneFactory, ProgressReportFactory, TargetFactory

READ_ONLY = ["departments", "people", "plans", "targets", "projects", "findings", "supervision-rounds"]
WRITABLE = ["progress-reports", "milestones", "blockers"]


@pytest.fixture
def world(plan, departments, staff_user):
    """A goal and a project led by unit alpha, with one row of every resource."""
    target = TargetFactory(plan=plan, lead_department=departments["alpha"])
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    report = ProgressReportFactory(item=target, as_of=dt.date(2023, 3, 31), value=Decimal("40"))
    milestone = MilestoneFactory(item=project)
    blocker = BlockerFactory(project=project)
    finding = Finding.objects.create(
        item=target, cause="red", opened_on=dt.date(2023, 4, 1), deadline=dt.date(2023, 4, 15), department=departments["alpha"]
    )
    round_ = SupervisionRound.objects.create(
        plan=plan, number=1, date=dt.date(2023, 4, 20), title="第一轮", created_by=staff_user
    )
    rows = {
        "departments": departments["alpha"],
        "people": departments["alpha"].people.first() or None,
        "plans": plan,
        "targets": target,
        "projects": project,
        "progress-reports": report,
        "milestones": milestone,
        "blockers": blocker,
        "findings": finding,
        "supervision-rounds": round_,
    }
    return target, project, rows


def new_row(resource: str, target, project) -> dict:
    return {
        "progress-reports": {"target": target.pk, "as_of": "2023-04-30", "value": "50", "note": "推进中"},
        "milestones": {"project": project.pk, "title": "竣工", "kind": "completion", "planned_date": "2023-11-30"},
        "blockers": {"project": project.pk, "category": "land", "description": "用地指标未落实", "raised_on": "2023-05-01"},
    }[resource]


def change(resource: str) -> dict:
    return {"progress-reports": {"note": "已更正"}, "milestones": {"title": "主体开工"}, "blockers": {"measures": "协调中"}}[
        resource
    ]


PERSONAS = {
    # persona → may write rows of items led by unit alpha?
    "staff": True,
    "alpha": True,
    "beta": False,
    "alpha-read-only": False,
}


@pytest.fixture
def client_for(api, staff_user, unit_user, other_unit_user):
    users = {"staff": staff_user, "alpha": unit_user, "beta": other_unit_user, "alpha-read-only": unit_user}
    return lambda persona: api(users[persona], read_only=persona.endswith("read-only"))


def list_url(resource: str) -> str:
    return f"/api/v1/{resource}/"


@pytest.mark.parametrize("resource", [*READ_ONLY, *WRITABLE, "status"])
def test_anonymous_gets_401_with_challenge(api, world, resource):
    response = api().get(list_url(resource))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", [*READ_ONLY, *WRITABLE])
def test_every_login_reads_lists_and_details(client_for, world, resource, persona):
    _target, _project, rows = world
    client = client_for(persona)
    response = client.get(list_url(resource))
    assert response.status_code == 200, response.content
    assert response.data["count"] >= 1
    row = rows[resource]
    if row is not None:
        assert client.get(f"{list_url(resource)}{row.pk}/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_login_reads_the_status(client_for, world, persona):
    assert client_for(persona).get("/api/v1/status/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", WRITABLE)
def test_create_follows_the_unit_rule(client_for, world, resource, persona):
    target, project, _rows = world
    response = client_for(persona).post(list_url(resource), new_row(resource, target, project), format="json")
    assert response.status_code == (201 if PERSONAS[persona] else 403), response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", WRITABLE)
def test_update_follows_the_unit_rule(client_for, world, resource, persona):
    _target, _project, rows = world
    url = f"{list_url(resource)}{rows[resource].pk}/"
    response = client_for(persona).patch(url, change(resource), format="json")
    assert response.status_code == (200 if PERSONAS[persona] else 403), response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", READ_ONLY)
def test_read_only_resources_take_no_writes(client_for, world, resource, persona):
    response = client_for(persona).post(list_url(resource), {}, format="json")
    assert response.status_code == (405 if persona == "staff" else 403)


def test_no_endpoint_deletes(client_for, world):
    _target, _project, rows = world
    for resource in WRITABLE:
        response = client_for("staff").delete(f"{list_url(resource)}{rows[resource].pk}/")
        assert response.status_code == 405
    assert ProgressReport.objects.count() == 1
    assert Milestone.objects.count() == 1


def test_a_unit_cannot_move_its_row_to_another_units_item(client_for, world, plan, departments):
    _target, _project, rows = world
    foreign = TargetFactory(plan=plan, lead_department=departments["beta"])
    url = f"/api/v1/milestones/{rows['milestones'].pk}/"
    response = client_for("alpha").patch(url, {"target": foreign.pk}, format="json")
    assert response.status_code == 403


def test_session_login_works_for_the_browsable_api(client, world, unit_user):
    client.force_login(unit_user)
    assert client.get(reverse("api:target-list")).status_code == 200
