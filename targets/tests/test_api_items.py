"""Goals over the API: status from the supervision snapshots (?as_of=), lists, fields, ETag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from targets.models import StatusSnapshot, SupervisionRun
from targets.tests.factories import MilestoneFactory, TargetFactory


def run(plan, day: dt.date, *, finished: bool = True) -> SupervisionRun:
    return SupervisionRun.objects.create(plan=plan, as_of=day, finished_at=timezone.now() if finished else None)


def snap(item, day: dt.date, status: str, expected: str, actual: str, ratio: str, forecast: str = "0") -> StatusSnapshot:
    return StatusSnapshot.objects.create(
        item=item,
        date=day,
        status=status,
        value_status=status,
        milestone_status="grey",
        reporting_status="green",
        expected=Decimal(expected),
        actual=Decimal(actual),
        ratio=Decimal(ratio),
        forecast=Decimal(forecast),
    )


MARCH, APRIL, MAY = dt.date(2023, 3, 31), dt.date(2023, 4, 30), dt.date(2023, 5, 31)


@pytest.fixture
def history(plan, departments):
    """A goal judged at two runs (green in March, red in April) and an unfinished May run."""
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    run(plan, MARCH)
    snap(goal, MARCH, "green", "25", "30", "1.20", "120")
    run(plan, APRIL)
    snap(goal, APRIL, "red", "33.33", "10", "0.30", "30")
    run(plan, MAY, finished=False)
    snap(goal, MAY, "blue", "41", "90", "2.19", "200")
    return goal


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (
            None,
            {"status": "red", "expected_value": "33.330", "actual_value": "10.000", "ratio": "0.30", "forecast_value": "30.000"},
        ),
        ("2023-05-15", {"status": "red", "status_date": "2023-04-30"}),
        ("2023-04-29", {"status": "green", "expected_value": "25.000", "actual_value": "30.000", "ratio": "1.20"}),
        ("2023-03-31", {"status": "green", "status_date": "2023-03-31"}),
        ("2023-03-30", {"status": "grey", "expected_value": None, "actual_value": None, "status_date": None}),
    ],
)
def test_as_of_answers_from_the_latest_finished_run(api, unit_user, history, as_of, expected):
    client = api(unit_user)
    query = {"as_of": as_of} if as_of else {}
    detail = client.get(f"/api/v1/targets/{history.pk}/", query).json()
    listed = client.get("/api/v1/targets/", query).json()["results"][0]
    for field, value in expected.items():
        assert detail[field] == value, field
        assert listed[field] == value, field


def test_a_bad_as_of_is_a_400(api, unit_user, history):
    response = api(unit_user).get("/api/v1/targets/", {"as_of": "2023-13-01"})
    assert response.status_code == 400
    assert response.json()["as_of"][0]["code"] == "invalid"


def test_contract_fields_and_decimal_strings(api, unit_user, history):
    data = api(unit_user).get(f"/api/v1/targets/{history.pk}/").json()
    for field in [
        "id", "plan", "code", "title", "metric_kind", "unit", "comparator", "target_value", "baseline_value",
        "period_start", "period_end", "lead_department", "responsible_leader", "schedule_mode",
        "status", "expected_value", "actual_value", "ratio", "forecast_value",
    ]:  # fmt: skip
        assert field in data
    assert data["target_value"] == "100.000"  # three decimals (issue 10: G53 is 98.392 公里)
    assert data["period_start"] == "2023-01-01"


def test_fields_chooses_the_fields(api, unit_user, history):
    row = api(unit_user).get("/api/v1/targets/", {"fields": "id,code,status"}).json()["results"][0]
    assert set(row) == {"id", "code", "status"}


def test_page_size_is_capped_at_200(api, unit_user, plan):
    TargetFactory.create_batch(205, plan=plan)
    client = api(unit_user)
    assert len(client.get("/api/v1/targets/", {"page_size": 5}).json()["results"]) == 5
    page = client.get("/api/v1/targets/", {"page_size": 1000}).json()
    assert page["count"] == 205
    assert len(page["results"]) == 200


def test_filters_and_ordering(api, unit_user, plan, departments):
    TargetFactory(plan=plan, code="A2", lead_department=departments["alpha"])
    TargetFactory(plan=plan, code="A1", lead_department=departments["alpha"])
    TargetFactory(plan=plan, code="B1", lead_department=departments["beta"])
    client = api(unit_user)
    rows = client.get("/api/v1/targets/", {"lead_department": departments["alpha"].pk, "ordering": "-code"}).json()["results"]
    assert [r["code"] for r in rows] == ["A2", "A1"]


def test_etag_and_if_match(api, unit_user, plan, departments):
    milestone = MilestoneFactory(item=TargetFactory(plan=plan, lead_department=departments["alpha"]))
    client = api(unit_user)
    url = f"/api/v1/milestones/{milestone.pk}/"
    etag = client.get(url)["ETag"]
    assert etag.startswith('"')
    assert client.get(url)["ETag"] == etag

    first = client.patch(url, {"title": "开工仪式"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag

    stale = client.patch(url, {"title": "别的标题"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    milestone.refresh_from_db()
    assert milestone.title == "开工仪式"

    assert client.patch(url, {"title": "无条件"}, format="json").status_code == 200
    assert (
        client.put(
            url, {"target": milestone.item_id, "title": "整体", "kind": "start"}, format="json", HTTP_IF_MATCH='"nope"'
        ).status_code
        == 412
    )


@pytest.mark.parametrize(
    ("chosen", "present", "absent"),
    [
        ("problem", {"description", "gap", "opened_on"}, {"measures", "contact"}),
        ("responsibility", {"responsible_leader", "cooperating_departments", "contact"}, {"measures", "gap"}),
        ("rectification", {"measures", "original_deadline", "closed_on"}, {"contact", "gap"}),
    ],
)
def test_findings_by_list(api, unit_user, plan, departments, chosen, present, absent):
    from targets.models import Finding

    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    finding = Finding.objects.create(item=goal, cause="red", opened_on=MARCH, deadline=APRIL, department=departments["alpha"])
    finding.cooperating_departments.add(departments["beta"])
    client = api(unit_user)
    [row] = client.get("/api/v1/findings/", {"list": chosen, "department": departments["alpha"].pk}).json()["results"]
    core = {"id", "target", "project", "milestone", "cause", "level", "state", "department", "deadline", "ready_to_close"}
    assert core | present <= set(row)
    assert not absent & set(row)
    assert row["target"] == goal.pk
    assert client.get("/api/v1/findings/", {"list": "other"}).status_code == 400
