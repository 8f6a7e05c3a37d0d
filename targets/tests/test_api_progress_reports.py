"""POST /api/v1/progress-reports/: the admin's rules, each error a 400 with a field, a message and a code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from targets.models import ProgressReport
from targets.tests.factories import ProgressReportFactory, TargetFactory

URL = "/api/v1/progress-reports/"


@pytest.fixture
def goal(plan, departments):
    return TargetFactory(plan=plan, lead_department=departments["alpha"])


@pytest.fixture
def alpha(api, unit_user):
    return api(unit_user)


def post(client, **data):
    return client.post(URL, data, format="json")


def test_a_report_is_saved_with_its_reporter_and_month(alpha, goal, unit_user):
    response = post(alpha, target=goal.pk, as_of="2023-04-30", value="55.5", note="进展顺利", problems="无")
    assert response.status_code == 201, response.content
    assert response.data["value"] == "55.500"  # three decimals (issue 10)
    assert response.data["target"] == goal.pk
    assert response.data["project"] is None
    report = ProgressReport.objects.get()
    assert report.reporter == unit_user
    assert report.period == dt.date(2023, 4, 1)
    assert report.narrative == "进展顺利"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"value": "-1"}, "value", "negative"),
        ({"as_of": "2099-01-31"}, "as_of", "date_in_future"),
        ({"as_of": "2022-12-31"}, "as_of", "outside_period"),
        ({"as_of": "not a date"}, "as_of", "invalid"),
        ({"value": "abc"}, "value", "invalid"),
    ],
)
def test_invalid_input_is_a_400_with_field_codes(alpha, goal, data, field, code):
    response = post(alpha, **{"target": goal.pk, "as_of": "2023-04-30", "value": "10", **data})
    assert response.status_code == 400
    assert response.data[field][0]["code"] == code
    assert response.data[field][0]["message"]


def test_messages_are_chinese_by_default(alpha, goal):
    response = post(alpha, target=goal.pk, as_of="2023-04-30", value="-1")
    assert response.json() == {
        "code": "negative",
        "detail": "数值不能为负数。",
        "value": [{"message": "数值不能为负数。", "code": "negative"}],
    }


def test_a_decrease_needs_a_correction_reason(alpha, goal):
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 3, 31), value=Decimal("40"))
    response = post(alpha, target=goal.pk, as_of="2023-04-30", value="30")
    assert response.status_code == 400
    assert response.data["correction_reason"][0]["code"] == "decrease_without_reason"
    response = post(alpha, target=goal.pk, as_of="2023-04-30", value="30", correction_reason="统计口径调整")
    assert response.status_code == 201


def test_a_report_between_two_is_checked_against_the_later_one(alpha, goal, time_machine):
    time_machine.move_to(dt.datetime(2023, 9, 10, 1, 0, tzinfo=dt.UTC), tick=False)
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 7, 31), value=Decimal("25000"))
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 8, 31), value=Decimal("29805.5"))
    response = post(alpha, target=goal.pk, as_of="2023-08-01", value="99999")
    assert response.status_code == 400
    assert response.data["value"][0]["code"] == "above_later_report"
    assert post(alpha, target=goal.pk, as_of="2023-08-01", value="26000").status_code == 201


def test_a_yes_no_goal_takes_no_value(alpha, plan, departments):
    yes_no = TargetFactory(plan=plan, lead_department=departments["alpha"], metric_kind="milestone", target_value=None)
    response = post(alpha, target=yes_no.pk, as_of="2023-04-30", value="1")
    assert response.data["value"][0]["code"] == "value_not_allowed"


def test_a_second_report_for_the_same_day_is_a_duplicate(alpha, goal):
    assert post(alpha, target=goal.pk, as_of="2023-04-30", value="10").status_code == 201
    response = post(alpha, target=goal.pk, as_of="2023-04-30", value="12")
    assert response.status_code == 400
    assert response.data["as_of"][0]["code"] == "duplicate"
    assert ProgressReport.objects.count() == 1


def test_a_goal_id_is_not_a_project(alpha, goal):
    response = post(alpha, project=goal.pk, as_of="2023-04-30", value="1")
    assert response.status_code == 400
    assert response.data["project"][0]["code"] == "does_not_exist"


def test_english_on_request(alpha, goal):
    response = alpha.post(
        URL, {"target": goal.pk, "as_of": "2023-04-30", "value": "-1"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.data["value"][0]["message"] == "The value cannot be negative."


def test_as_of_filters_the_report_list_and_detail(api, staff_user, goal):
    june = ProgressReportFactory(item=goal, as_of=dt.date(2023, 6, 30), value=Decimal("10"))
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 5, 31), value=Decimal("8"))
    client = api(staff_user)

    listed = client.get(URL, {"as_of": "2023-06-30"}).json()
    detail = client.get(f"{URL}{june.pk}/", {"as_of": "2023-05-31"})

    assert [row["id"] for row in listed["results"]] == [june.pk]
    assert detail.status_code == 404
