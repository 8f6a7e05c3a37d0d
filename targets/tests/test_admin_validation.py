"""Input rules come back as errors on the right field of the page (in the user's language), never as a 500.

Errors are matched by their stable code: the Chinese catalogue is written separately, so the text may
still be English while the page is rendered for zh-hans.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from targets.models import Milestone, ProgressReport

from .admin_forms import add_inline_row, changeform_data, form_errors, inline_errors
from .factories import ProgressReportFactory, TargetFactory

D = dt.date
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
TOMORROW = timezone.localdate() + dt.timedelta(days=1)

# (what the user enters, the field that must show the error, its code)
REPORT_CASES = {
    "negative value": ({"as_of": D(2023, 6, 30), "value": "-5"}, "value", "negative"),
    "future date": ({"as_of": TOMORROW, "value": "50"}, "as_of", "date_in_future"),
    "outside the period": ({"as_of": D(2022, 12, 31), "value": "50"}, "as_of", "outside_period"),
    "decrease without a reason": ({"as_of": D(2023, 6, 30), "value": "30"}, "correction_reason", "decrease_without_reason"),
}


@pytest.fixture
def goal(plan, staff_user):
    goal = TargetFactory(plan=plan, code="G01")
    ProgressReportFactory(item=goal, as_of=D(2023, 3, 31), value=Decimal("40"))
    return goal


@pytest.fixture
def yes_no_goal(plan):
    return TargetFactory(plan=plan, code="G02", metric_kind="milestone", target_value=None, unit="")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize(("values", "field", "code"), REPORT_CASES.values(), ids=REPORT_CASES.keys())
def test_it_shows_report_errors_on_the_goal_page_inline(staff_client, goal, values, field, code):
    page = staff_client.get(change_url(goal), **ZH)
    data = add_inline_row(changeform_data(page), page, ProgressReport, **values)

    response = staff_client.post(change_url(goal), data, **ZH)

    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    new_row = inline_errors(response, ProgressReport)[-1]
    assert code in new_row.get(field, []), new_row
    assert goal.reports.count() == 1


@pytest.mark.parametrize(("values", "field", "code"), REPORT_CASES.values(), ids=REPORT_CASES.keys())
def test_it_shows_report_errors_on_the_report_page(staff_client, goal, values, field, code):
    data = {"item": goal.pk, **{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}}

    response = staff_client.post(reverse("admin:targets_progressreport_add"), data, **ZH)

    assert response.status_code == 200
    assert code in form_errors(response).get(field, [])
    assert goal.reports.count() == 1


def test_it_refuses_a_value_on_a_yes_no_goal(staff_client, yes_no_goal):
    page = staff_client.get(change_url(yes_no_goal), **ZH)
    data = add_inline_row(changeform_data(page), page, ProgressReport, as_of=D(2023, 6, 30), value="1", narrative="已出台")

    response = staff_client.post(change_url(yes_no_goal), data, **ZH)

    assert response.status_code == 200
    assert "value_not_allowed" in inline_errors(response, ProgressReport)[-1]["value"]


def test_it_accepts_a_decrease_with_a_correction_reason(staff_client, goal):
    page = staff_client.get(change_url(goal))
    data = add_inline_row(
        changeform_data(page), page, ProgressReport, as_of=D(2023, 6, 30), value="30", correction_reason="统计口径调整"
    )

    response = staff_client.post(change_url(goal), data)

    assert response.status_code == 302
    assert goal.reports.get(as_of=D(2023, 6, 30)).value == Decimal("30")


def test_it_checks_rows_entered_together_against_each_other(staff_client, goal):
    # Two months in one save: June (60) then July (50) is a decrease even though both exceed March's 40.
    page = staff_client.get(change_url(goal))
    data = changeform_data(page)
    add_inline_row(data, page, ProgressReport, as_of=D(2023, 6, 30), value="60")
    data["reports-TOTAL_FORMS"] = str(int(data["reports-TOTAL_FORMS"]) + 1)
    index = int(data["reports-TOTAL_FORMS"]) - 1
    data.update({f"reports-{index}-as_of": "2023-07-31", f"reports-{index}-value": "50", f"reports-{index}-item": str(goal.pk)})

    response = staff_client.post(change_url(goal), data, **ZH)

    assert response.status_code == 200
    errors = inline_errors(response, ProgressReport)
    assert "decrease_without_reason" in errors[index]["correction_reason"]
    assert goal.reports.count() == 1


def test_it_shows_a_future_milestone_date_on_its_row(staff_client, goal):
    page = staff_client.get(change_url(goal))
    data = add_inline_row(changeform_data(page), page, Milestone, kind="issuance", title="出台", actual_date=TOMORROW)

    response = staff_client.post(change_url(goal), data, **ZH)

    assert response.status_code == 200
    assert "date_in_future" in inline_errors(response, Milestone)[-1]["actual_date"]


def test_it_shows_a_goal_rule_on_its_field(staff_client, goal):
    data = changeform_data(staff_client.get(change_url(goal)))
    data.update(actual_source="rollup", rollup="")

    response = staff_client.post(change_url(goal), data, **ZH)

    assert response.status_code == 200
    assert "rollup_missing" in form_errors(response)["rollup"]
