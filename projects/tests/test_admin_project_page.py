"""The project page: a new project's defaults, the monthly plan as a table, and its rules shown on the right rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.admin import ANNUAL_PLAN_LABEL, MonthlyPlanInline, month_ends
from projects.models import Blocker, Project
from targets.models import Checkpoint, ProgressReport
from targets.tests.admin_forms import add_inline_row, changeform_data, form_errors, inline_errors
from targets.tests.factories import CheckpointFactory, DepartmentFactory

from .factories import ProjectFactory

D = dt.date
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ADD_URL = reverse("admin:projects_project_add")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def project(plan):
    return ProjectFactory(plan=plan, code="P01", title="椒江大桥改建")


def change_url(project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def new_project_data(page) -> dict:
    data = changeform_data(page)
    data.update(
        code="P99", title="新建学校", lead_department=str(DepartmentFactory().pk), total_investment="30000", target_value="12000"
    )
    return data


def test_it_starts_a_new_project_on_the_current_plan_with_a_monthly_plan(staff_client, plan):
    page = staff_client.get(ADD_URL, **ZH)

    form = page.context["adminform"].form
    assert (form.initial["plan"], form.initial["schedule_mode"]) == (plan.pk, "checkpoints")
    assert form.fields["target_value"].label == str(ANNUAL_PLAN_LABEL)
    monthly = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Checkpoint)
    assert [f.initial["date"] for f in monthly.formset.forms] == [
        D(2023, m + 1, 1) - dt.timedelta(days=1) for m in range(2, 12)
    ] + [D(2023, 12, 31)]


def test_it_saves_the_months_filled_in_and_skips_the_blank_ones(staff_client, plan):
    page = staff_client.get(ADD_URL)
    data = new_project_data(page)
    data.update(
        {"checkpoints-0-expected_value": "1000", "checkpoints-1-expected_value": "2500", "checkpoints-10-expected_value": "12000"}
    )

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    project = Project.objects.get(code="P99")
    assert project.schedule_mode == "checkpoints"
    assert list(project.checkpoints.values_list("date", "expected_value")) == [
        (D(2023, 2, 28), Decimal("1000")),
        (D(2023, 3, 31), Decimal("2500")),
        (D(2023, 12, 31), Decimal("12000")),
    ]


def test_it_checks_reports_entered_with_a_new_project(staff_client, plan):
    # The project is not saved yet, so the model cannot check the report; the page still must.
    page = staff_client.get(ADD_URL)
    data = add_inline_row(
        new_project_data(page), page, ProgressReport, as_of=timezone.localdate() + dt.timedelta(days=1), value="10"
    )

    response = staff_client.post(ADD_URL, data, **ZH)

    assert response.status_code == 200
    assert "date_in_future" in inline_errors(response, ProgressReport)[0]["as_of"]
    assert not Project.objects.filter(code="P99").exists()


def test_it_refuses_a_monthly_plan_that_goes_down(staff_client, project):
    CheckpointFactory(item=project, date=D(2023, 3, 31), expected_value=Decimal("3000"))
    page = staff_client.get(change_url(project))
    data = add_inline_row(changeform_data(page), page, Checkpoint, date=D(2023, 4, 30), expected_value="2000")

    response = staff_client.post(change_url(project), data, **ZH)

    assert response.status_code == 200
    assert "checkpoint_decreasing" in inline_errors(response, Checkpoint)[-1]["expected_value"]
    assert project.checkpoints.count() == 1


def test_it_shows_a_blocker_resolved_before_it_was_raised(staff_client, project):
    page = staff_client.get(change_url(project))
    data = add_inline_row(
        changeform_data(page),
        page,
        Blocker,
        category="funding",
        description="资金未到位",
        raised_on=D(2023, 5, 1),
        resolved_on=D(2023, 4, 1),
    )

    response = staff_client.post(change_url(project), data, **ZH)

    assert response.status_code == 200
    assert "end_before_start" in inline_errors(response, Blocker)[-1]["resolved_on"]


def test_it_shows_an_annual_plan_above_the_total_on_its_field(staff_client, project):
    data = changeform_data(staff_client.get(change_url(project)))
    data.update(target_value="30000")

    response = staff_client.post(change_url(project), data, **ZH)

    assert response.status_code == 200
    assert form_errors(response)["target_value"] == ["annual_over_total"]


def test_it_labels_the_amounts_of_a_project_for_units_too(client, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"], total_investment=Decimal("123456"))
    CheckpointFactory(item=project, date=D(2023, 6, 30), expected_value=Decimal("4000"))
    client.force_login(unit_user)

    response = client.get(change_url(project))

    text = response.content.decode()
    assert str(ANNUAL_PLAN_LABEL) in text
    assert str(MonthlyPlanInline.field_labels["expected_value"]) in text  # the read-only monthly plan
    assert "123,456" in text
    assert "8,000" in text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2023, 1, 1), D(2023, 12, 31), 11),  # January is reported with February
        (D(2023, 6, 15), D(2023, 12, 31), 7),
        (D(2023, 1, 1), D(2023, 1, 31), 1),
    ],
)
def test_it_offers_one_monthly_row_per_month_end(start, end, expected):
    dates = month_ends(start, end)

    assert len(dates) == expected
    assert dates[-1] == end
