"""The admin home shows the plan's headline numbers and the register's completed investment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.tests.factories import ProjectFactory
from targets.models import Target
from targets.tests.factories import ProgressReportFactory, TargetFactory

HOME = reverse("admin:index")


@pytest.fixture
def headline_goals(plan):
    investment = TargetFactory(
        plan=plan,
        code="G19",
        title="区级重点项目年度计划投资超120亿元",
        metric_kind="amount",
        unit="万元",
        show_in_yi=True,
        target_value=Decimal("1200000"),
        is_headline=True,
        headline_order=1,
        modality="力争",
    )
    ProgressReportFactory(item=investment, as_of=dt.date(2023, 6, 30), value=Decimal("540000"))
    projects = TargetFactory(
        plan=plan,
        code="G14",
        title="重大项目240个",
        target_value=Decimal("240"),
        actual_source="rollup",
        rollup="major_projects",
        is_headline=True,
        headline_order=2,
    )
    for value in ("3000", "4500.5"):
        project = ProjectFactory(plan=plan)
        ProgressReportFactory(item=project, as_of=dt.date(2023, 6, 30), value=Decimal(value))
    return investment, projects


def test_it_shows_the_headline_numbers(admin_client, headline_goals):
    response = admin_client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    text = response.content.decode()
    assert [row.target.code for row in response.context["duban_headlines"]] == ["G19", "G14"]
    # 1,200,000 and 540,000 万元 read in 亿元
    for shown in ("≥ 120 ", "54 ", "45%"):
        assert shown in text
    # two major projects in the register
    for shown in ("≥ 240 个", "2 个", "0.8%"):
        assert shown in text
    assert "力争" in text


def test_it_shows_the_registers_completed_investment(admin_client, headline_goals):
    response = admin_client.get(HOME)

    assert response.context["duban_completed_investment"] == Decimal("7500.5")
    assert "7,500.5 " in response.content.decode()


def test_it_renders_with_no_plan(admin_client, db):
    response = admin_client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert response.context["duban_plan"] is None
    assert reverse("admin:targets_plan_add") in response.content.decode()


def test_it_renders_for_a_unit_user(client, unit_user, headline_goals):
    client.force_login(unit_user)

    response = client.get(HOME)

    assert response.status_code == 200
    assert len(response.context["duban_headlines"]) == 2


def test_it_shows_the_real_plans_headlines(admin_client, db):
    call_command("loaddata", "plan_2023", verbosity=0)

    response = admin_client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    headline_codes = list(
        Target.objects.filter(is_headline=True).order_by("headline_order", "code").values_list("code", flat=True)
    )
    assert headline_codes, "the 2023 plan marks headline goals"
    assert [row.target.code for row in response.context["duban_headlines"]] == headline_codes
