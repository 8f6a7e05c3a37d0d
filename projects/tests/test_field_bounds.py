"""Text lengths and date bounds: one rule (targets.validation.field_bounds) refused alike by the admin,
the API and the imports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects.models import Blocker, Project
from projects.tests.factories import ProjectFactory
from targets import validation
from targets.admin.helpers import DubanModelForm
from targets.models import Milestone, ProgressReport
from targets.tests.factories import TargetFactory

MEGABYTE_NOTE = "进" * 1_000_000
# Over the limit yet under Django's request body limit (the API's body limit is another check).
LONG_NOTE = "进" * (validation.TEXT_MAX_LENGTH + 1)


def test_the_shared_rules():
    assert validation.text_lengths(narrative="好" * validation.TEXT_MAX_LENGTH) == {}
    assert validation.text_lengths(narrative=MEGABYTE_NOTE)["narrative"].code == "text_too_long"
    assert validation.date_bounds(as_of=dt.date(2023, 7, 31)) == {}
    assert validation.date_bounds(as_of=dt.date(9999, 12, 31))["as_of"].code == "date_out_of_range"
    assert validation.date_bounds(as_of=dt.date(1, 1, 1))["as_of"].code == "date_out_of_range"
    errors = validation.field_bounds(Milestone, {"evidence_note": MEGABYTE_NOTE, "planned_date": dt.date(1, 1, 1), "title": "x"})
    assert sorted(errors) == ["evidence_note", "planned_date"]


@pytest.mark.django_db
def test_the_admin_forms_refuse_them(plan, departments):
    class BlockerForm(DubanModelForm):
        class Meta:
            model = Blocker
            fields = ["project", "category", "description", "raised_on", "measures"]

    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    form = BlockerForm(
        {"project": project.pk, "category": "land", "description": MEGABYTE_NOTE, "raised_on": "9999-01-01", "measures": ""}
    )
    assert not form.is_valid()
    assert form.errors.as_data()["description"][0].code == "text_too_long"
    assert form.errors.as_data()["raised_on"][0].code == "date_out_of_range"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"note": LONG_NOTE}, "note", "text_too_long"),
        ({"problems": LONG_NOTE}, "problems", "text_too_long"),
        ({"as_of": "0001-01-31"}, "as_of", "date_out_of_range"),
    ],
)
def test_the_api_refuses_them(api, unit_user, plan, departments, data, field, code):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    response = api(unit_user).post(
        "/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-04-30", "value": "1", **data}, format="json"
    )
    assert response.status_code == 400
    assert response.data[field][0]["code"] == code
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_model_validation_refuses_them_for_the_imports(plan, departments):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    report = ProgressReport(item=goal, as_of=dt.date(2023, 4, 30), value=1, narrative=MEGABYTE_NOTE)
    with pytest.raises(ValidationError) as caught:
        report.clean()
    assert caught.value.error_dict["narrative"][0].code == "text_too_long"

    project = Project(plan=plan, code="X1", title="项目", plan_statement=MEGABYTE_NOTE, batch_date=dt.date(9999, 1, 1))
    with pytest.raises(ValidationError) as caught:
        project.clean()
    assert {"plan_statement", "batch_date"} <= set(caught.value.error_dict)
