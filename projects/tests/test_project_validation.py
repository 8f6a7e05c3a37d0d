"""Validation of the register's own rules (amounts in 万元)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils.text import capfirst

from projects.models import Blocker, Project
from targets.admin.helpers import DubanModelForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def good(plan, departments):
    return Project(
        plan=plan,
        code="2023-X01",
        title="心海小学",
        period_start=plan.period_start,
        period_end=plan.period_end,
        category="livelihood",
        total_investment=Decimal("25000"),
        target_value=Decimal("8000"),
        is_major=True,
        is_district_key=True,
        lead_department=departments["beta"],
    )


def codes_of(project) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    return {field: errors[0].code for field, errors in exc.value.error_dict.items()}


def test_it_accepts_a_consistent_project(good):
    good.full_clean()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"total_investment": Decimal("-1")}, {"total_investment": "negative", "target_value": "annual_over_total"}),
        ({"land_area": Decimal("-3")}, {"land_area": "negative"}),
        ({"target_value": Decimal("30000")}, {"target_value": "annual_over_total"}),
        (
            {"total_investment": Decimal("4999"), "target_value": Decimal("100"), "is_district_key": False},
            {"is_major": "below_major_threshold"},
        ),
        ({"total_investment": Decimal("10000")}, {"is_district_key": "below_key_threshold"}),
        ({"batch_date": dt.date(2023, 3, 1)}, {"batch_level": "batch_level_missing"}),
        ({"period_end": dt.date(2022, 12, 31)}, {"period_end": "end_before_start"}),
    ],
)
def test_it_rejects_each_inconsistency(good, changes, expected):
    for field, value in changes.items():
        setattr(good, field, value)
    assert codes_of(good) == expected


def test_it_stores_the_annual_plan_as_the_items_target_value(good):
    good.annual_plan_investment = Decimal("9000")
    assert good.target_value == Decimal("9000")
    good.save()
    assert Project.objects.get(pk=good.pk).annual_plan_investment == Decimal("9000.00")
    assert good.kind == "project"


def test_it_rejects_a_blocker_resolved_before_it_was_raised(good):
    good.save()
    blocker = Blocker(
        project=good,
        category="land",
        description="政策处理未完成",
        raised_on=dt.date(2023, 5, 1),
        resolved_on=dt.date(2023, 4, 1),
    )
    assert codes_of(blocker) == {"resolved_on": "end_before_start"}
    blocker.resolved_on = dt.date(2023, 5, 20)
    blocker.full_clean()
    assert not blocker.is_open


def test_it_turns_model_errors_on_fields_not_in_the_form_into_form_errors(plan):
    # Django raises ValueError for such errors; the admin's form shows them instead.
    project = Project(plan=plan, code="P1", title="项目", period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31))
    project.total_investment, project.target_value = Decimal("100"), Decimal("200")
    form_class = modelform_factory(Project, form=DubanModelForm, fields=["title"])

    form = form_class({"title": "项目"}, instance=project)

    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["annual_over_total"]
    assert form.non_field_errors()[0].startswith(f"{capfirst(Project._meta.get_field('target_value').verbose_name)}: ")
