"""Supervision rounds over the API: the three lists (.xlsx) and the per-unit notice (.docx), and the plan status."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from targets.findings import rounds
from targets.models import Finding, StatusSnapshot, SupervisionRun
from targets.tests.factories import TargetFactory


@pytest.fixture
def round_(plan, departments, staff_user):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"], is_headline=True)
    Finding.objects.create(
        item=goal, cause="red", opened_on=dt.date(2023, 4, 1), deadline=dt.date(2023, 4, 15), department=departments["alpha"]
    )
    return rounds.start_round(plan, dt.date(2023, 4, 20), "第一轮督查", "site_inspection", staff_user)


def test_three_lists_download(api, unit_user, round_):
    response = api(unit_user).get(f"/api/v1/supervision-rounds/{round_.pk}/three-lists/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) >= 3


def test_notice_download_per_unit(api, unit_user, round_, departments):
    client = api(unit_user)
    response = client.get(f"/api/v1/supervision-rounds/{round_.pk}/notices/{departments['alpha'].pk}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert client.get(f"/api/v1/supervision-rounds/{round_.pk}/notices/{departments['beta'].pk}/").status_code == 404


def test_status_counts_and_headlines(api, unit_user, round_, plan):
    goal = round_.plan.items.get()
    SupervisionRun.objects.create(plan=plan, as_of=dt.date(2023, 4, 30), finished_at=timezone.now())
    StatusSnapshot.objects.create(
        item=goal, date=dt.date(2023, 4, 30), status="red", value_status="red", milestone_status="grey",
        reporting_status="green", expected=Decimal("33.33"), actual=Decimal("10"), ratio=Decimal("0.30"),
    )  # fmt: skip
    data = api(unit_user).get("/api/v1/status/", {"plan": plan.pk, "as_of": "2023-05-10"}).json()
    assert data["run_date"] == "2023-04-30"
    assert data["counts"]["red"] == {"goal": 1, "project": 0}
    assert data["counts"]["green"] == {"goal": 0, "project": 0}
    [headline] = data["headlines"]
    assert (headline["id"], headline["status"], headline["expected_value"], headline["actual_value"]) == (
        goal.pk, "red", "33.330", "10.000",  # three decimals (issue 10)
    )  # fmt: skip
    before = api(unit_user).get("/api/v1/status/", {"plan": plan.pk, "as_of": "2023-04-29"}).json()
    assert before["run_date"] is None
    assert before["headlines"][0]["status"] == "grey"
