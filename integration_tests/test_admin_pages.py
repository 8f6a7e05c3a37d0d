"""Every admin page renders for a superuser, with the real 2023 plan loaded and reports, milestones and blockers on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Blocker, Project
from projects.tests.factories import BlockerFactory, ProjectFactory
from targets.models import Baseline, Department, Milestone, Person, Plan, ProgressReport, Target
from targets.tests.factories import MilestoneFactory, PersonFactory, ProgressReportFactory, TargetFactory

REGISTERED = [Department, Person, Plan, Baseline, Target, ProgressReport, Milestone, Project, Blocker]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def plan_2023(db):
    """The real 2023 plan (fixtures/plan_2023.json) plus what it leaves empty: people, reports, blockers."""
    call_command("loaddata", "plan_2023", verbosity=0)
    plan = Plan.objects.get(year=2023)
    unit = Department.objects.order_by("pk").first()
    leader = PersonFactory(name="王副区长", is_leader=True, department=unit)
    goal = Target.objects.filter(plan=plan, actual_source="reported", target_value__isnull=False).order_by("code").first()
    goal.responsible_leader = leader
    goal.save()
    project = Project.objects.filter(plan=plan).order_by("code").first()
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 6, 30), value=goal.target_value / 2)
    ProgressReportFactory(item=project, as_of=dt.date(2023, 6, 30), value=Decimal("3200"))
    MilestoneFactory(item=project, title="主体结顶", kind="topping_out", planned_date=dt.date(2023, 9, 30))
    BlockerFactory(project=project)
    return plan


def test_it_registers_every_model_with_its_audit_history():
    registry = admin.site._registry
    assert set(REGISTERED) <= set(registry)
    # Baseline has no HistoricalRecords (see the admin); every other model shows its history.
    assert all(isinstance(registry[model], SimpleHistoryAdmin) for model in REGISTERED if model is not Baseline)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_it_renders_every_list_add_change_and_history_page(admin_client, plan_2023, model):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model.__name__} in the test data"

    for page in (url(model, "changelist"), url(model, "add"), url(model, "change", obj.pk), url(model, "history", obj.pk)):
        response = admin_client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, page


@pytest.mark.parametrize("model", [Target, Project], ids=lambda m: m._meta.model_name)
def test_it_shows_the_item_rows_inline(admin_client, plan_2023, model):
    obj = model.objects.order_by("code").first()

    response = admin_client.get(url(model, "change", obj.pk))

    inlines = {inline.formset.model for inline in response.context["inline_admin_formsets"]}
    assert {ProgressReport, Milestone} <= inlines
    if model is Project:
        assert Blocker in inlines


def test_it_renders_an_old_version_of_an_object(admin_client, plan_2023):
    project = Project.objects.order_by("code").first()
    project.title += "（调整）"
    project.save()
    version = project.history.order_by("history_date").first()

    response = admin_client.get(reverse("admin:projects_project_simple_history", args=[project.pk, version.history_id]))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_it_applies_every_list_filter_choice_and_search(admin_client, plan_2023, model):
    changelist = url(model, "changelist")
    response = admin_client.get(changelist)
    cl = response.context["cl"]

    queries = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    queries.append("?q=2023")
    for query in queries:
        response = admin_client.get(changelist + query)
        assert response.status_code == 200, query


def test_it_shows_goal_columns_in_the_plans_units(admin_client, plan):
    goal = TargetFactory(plan=plan, code="G99", metric_kind="amount", unit="万元", show_in_yi=True, target_value=6000000)
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 6, 30), value=Decimal("4500000"))

    response = admin_client.get(url(Target, "changelist"))

    text = response.content.decode()
    assert "≥ 600 " in text  # 6,000,000 万元 read as 600 亿元
    assert "450 " in text
    assert "75%" in text


def test_it_shows_project_amounts_in_wan_with_separators(admin_client, plan):
    project = ProjectFactory(plan=plan, total_investment=Decimal("123456.5"), target_value=Decimal("24000"))
    ProgressReportFactory(item=project, as_of=dt.date(2023, 6, 30), value=Decimal("12000"))

    response = admin_client.get(url(Project, "changelist"))

    text = response.content.decode()
    assert "123,456.5" in text
    assert "24,000" in text
    assert "12,000" in text
    assert "50%" in text


def test_it_titles_the_baseline_column_of_a_goal_page_in_chinese(admin_client, plan):
    goal = TargetFactory(plan=plan)

    text = admin_client.get(url(Target, "change", goal.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    head = text.split('class="column-baseline', 1)[1].split("</th>", 1)[0]
    assert "基数" in head


def test_a_rollup_goal_page_shows_the_pool_it_counts(admin_client, plan_2023):
    new_starts = Target.objects.get(code="2023-G16")
    text = admin_client.get(url(Target, "change", new_starts.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统计口径" in text
    assert "开工节点实际日期在计划期内的重大项目（总投资5000万元以上）" in text
    reported = Target.objects.get(code="2023-G49")  # charging piles: reported, no pool
    text = admin_client.get(url(Target, "change", reported.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "开工节点实际日期" not in text
