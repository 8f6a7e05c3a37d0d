"""The year roll-over (年度结转, issue 11 §3): `manage.py rollover 2023 2024 [--apply]`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from projects.models import Project
from projects.tests.factories import ProjectFactory
from targets.choices import FindingState, ReviewState
from targets.engine.supervision import supervise
from targets.models import Finding, Milestone, Plan, StatusSnapshot, Target, TrackedItem
from targets.tests.factories import MilestoneFactory, ProgressReportFactory, TargetFactory
from targets.tests.supervision_data import make_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]

D = dt.date


@pytest.fixture
def register(plan, departments):
    """2023: a goal, an unfinished project with an open and a closed finding, two completed projects."""
    goal = TargetFactory(plan=plan, code="2023-G01", target_value=Decimal("100"), lead_department=departments["alpha"])
    ProgressReportFactory(item=goal, as_of=D(2023, 12, 31), value=Decimal("80"))
    going = ProjectFactory(
        plan=plan, code="2023-P01", total_investment=Decimal("20000"), target_value=Decimal("8000"),
        completed_before=Decimal("3000"), lead_department=departments["alpha"], stage="new_start",
    )  # fmt: skip
    going.goals.add(goal)
    going.cooperating_departments.add(departments["beta"])
    ProgressReportFactory(item=going, as_of=D(2023, 6, 30), value=Decimal("4000"))
    ProgressReportFactory(item=going, as_of=D(2023, 12, 31), value=Decimal("7000"))
    ProgressReportFactory(item=going, as_of=D(2023, 11, 30), value=Decimal("9000"), review_state=ReviewState.RETURNED)
    MilestoneFactory(item=going, title="开工", kind="start", planned_date=D(2023, 3, 31), actual_date=D(2023, 3, 20))
    topping = MilestoneFactory(item=going, title="结顶", kind="topping_out", planned_date=D(2023, 11, 30))
    MilestoneFactory(item=going, title="竣工", kind="completion", planned_date=D(2024, 9, 30))
    open_finding = make_finding(going, cause="milestone_missed", milestone=topping)
    closed = make_finding(going, state=FindingState.CLOSED, closed_on=D(2023, 8, 1))
    done = ProjectFactory(plan=plan, code="2023-P02", stage="completed")
    make_finding(done)  # stays with its item in 2023
    finished = ProjectFactory(plan=plan, code="2023-P03", stage="continuing")
    MilestoneFactory(item=finished, title="竣工", kind="completion", planned_date=D(2023, 12, 1), actual_date=D(2023, 11, 28))
    return {"goal": goal, "going": going, "done": done, "finished": finished, "open": open_finding, "closed": closed}


def rollover(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("rollover", "2023", "2024", *args, stdout=out)
    return out.getvalue()


def state() -> dict:
    """Counts and key fields of everything the roll-over writes."""
    return {
        "plans": list(Plan.objects.order_by("year").values_list("year", "title", "reports_need_review")),
        "items": sorted(TrackedItem.objects.values_list("plan__year", "code", "kind", "previous_id", "is_draft")),
        "projects": sorted(Project.objects.values_list("code", "total_investment", "target_value", "completed_before", "stage")),
        "milestones": sorted(Milestone.objects.values_list("item__code", "title", "actual_date")),
        "findings": sorted(Finding.objects.values_list("item__code", "state", "previous_id", "dedupe_key")),
        "links": sorted(Project.goals.through.objects.values_list("project__code", "target__code")),
    }


def test_the_dry_run_prints_what_it_would_do_and_changes_nothing(register):
    before = state()
    out = rollover()
    assert "dry run" in out
    assert "create plan 2024" in out
    assert "goals copied as drafts: 1" in out
    assert "projects carried (续建): 1" in out
    assert "completed, staying: 2" in out
    assert "milestones not yet reached, carried: 2; reached, staying: 1" in out
    assert "open findings carried: 1" in out
    assert state() == before


def test_apply_carries_unfinished_projects_linked_both_ways_with_their_totals(register, client, staff_user):
    rollover("--apply")
    new_plan = Plan.objects.get(year=2024)
    assert (new_plan.title, new_plan.period_start, new_plan.period_end) == ("2024年工作计划", D(2024, 1, 1), D(2024, 12, 31))

    going = register["going"]
    carried = Project.objects.get(plan=new_plan)
    assert carried.previous_id == going.pk
    assert TrackedItem.objects.get(pk=going.pk).next_year.pk == carried.pk
    assert (carried.code, carried.total_investment, carried.stage) == ("2024-P01", Decimal("20000"), "continuing")
    assert carried.target_value is None  # the new year's annual plan is staff's to set
    # Before 2024: 3,000 before 2023 + 7,000 approved in 2023 (the returned 9,000 does not count).
    assert carried.completed_before == Decimal("10000")
    assert carried.reports.count() == 0  # the year's progress starts at 0
    assert [m.title for m in carried.milestones.order_by("planned_date")] == ["结顶", "竣工"]  # 开工 was reached
    assert list(carried.cooperating_departments.all()) == [register["going"].cooperating_departments.get()]
    assert [g.code for g in carried.goals.all()] == ["2024-G01"]
    assert set(Project.objects.filter(plan=new_plan).values_list("previous_id", flat=True)) == {going.pk}

    client.force_login(staff_user)
    page = client.get(reverse("admin:projects_project_change", args=[carried.pk])).content.decode()
    assert reverse("admin:projects_project_change", args=[going.pk]) in page  # to last year
    assert "7,000" in page or "7000" in page  # last year's figure
    old_page = client.get(reverse("admin:projects_project_change", args=[going.pk])).content.decode()
    assert reverse("admin:projects_project_change", args=[carried.pk]) in old_page  # to next year


def test_a_completed_project_does_not_carry(register):
    rollover("--apply")
    assert not TrackedItem.objects.filter(previous__in=[register["done"].pk, register["finished"].pk]).exists()
    assert Project.objects.filter(plan__year=2023).count() == 3


def test_open_findings_are_carried_and_linked_closed_ones_stay(register, client, staff_user):
    rollover("--apply")
    old = Finding.objects.get(pk=register["open"].pk)
    new = Finding.objects.get(previous=old)
    assert (old.state, old.closed_on) == (FindingState.CARRIED, D(2023, 12, 31))
    assert new.state == FindingState.OPEN
    assert new.item.plan.year == 2024
    assert new.milestone.item_id == new.item_id
    assert new.milestone.title == "结顶"
    assert new.opened_on == old.opened_on  # the ladder goes on counting from when it was found
    assert Finding.objects.get(pk=register["closed"].pk).state == FindingState.CLOSED
    assert not Finding.objects.filter(previous=register["closed"]).exists()
    assert Finding.objects.filter(item=register["done"], state=FindingState.OPEN).count() == 1
    assert old.history.first().state == FindingState.CARRIED  # audited
    client.force_login(staff_user)
    old_page = client.get(reverse("admin:targets_finding_change", args=[old.pk])).content.decode()
    assert reverse("admin:targets_finding_change", args=[new.pk]) in old_page  # to next year's finding
    new_page = client.get(reverse("admin:targets_finding_change", args=[new.pk])).content.decode()
    assert reverse("admin:targets_finding_change", args=[old.pk]) in new_page  # to last year's


def test_rolling_over_twice_equals_once(register):
    rollover("--apply")
    once = state()
    out = rollover("--apply")
    assert state() == once
    assert "0 changes" in out


def test_draft_goals_are_not_evaluated_until_published(register, client, staff_user):
    rollover("--apply")
    draft = Target.objects.get(plan__year=2024)
    assert (draft.is_draft, draft.previous_id, draft.target_value) == (True, register["goal"].pk, Decimal("100"))
    assert draft.baseline_value == Decimal("80")  # last year's figure is the new baseline
    new_plan = Plan.objects.get(year=2024)
    supervise(new_plan, D(2024, 3, 10))
    assert not StatusSnapshot.objects.filter(item=draft).exists()
    assert StatusSnapshot.objects.filter(item__plan=new_plan, item__kind="project").exists()

    client.force_login(staff_user)
    page = client.get(reverse("admin:targets_target_change", args=[draft.pk])).content.decode()
    assert reverse("admin:targets_target_change", args=[register["goal"].pk]) in page  # last year's goal
    assert "80" in page
    client.post(reverse("admin:targets_target_changelist"), {"action": "publish_goals", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_draft is False
    supervise(new_plan, D(2024, 3, 11))
    assert StatusSnapshot.objects.filter(item=draft, date=D(2024, 3, 11)).exists()


def test_it_is_all_or_nothing(register):
    """A constraint violation at the last step (findings) leaves nothing of the earlier steps."""
    before = state()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush the fixtures' deferred checks before ALTER
        cursor.execute("ALTER TABLE targets_finding ADD CONSTRAINT test_injected_failure CHECK (previous_id IS NULL) NOT VALID")
    with pytest.raises(Exception, match="test_injected_failure"):
        rollover("--apply")
    assert state() == before
    assert not Plan.objects.filter(year=2024).exists()


def test_the_api_shows_previous_and_is_draft(register, api, staff_user):
    rollover("--apply")
    client = api(staff_user)
    carried = Project.objects.get(plan__year=2024)
    project = client.get(f"/api/v1/projects/{carried.pk}/").data
    assert (project["previous"], project["completed_before"]) == (register["going"].pk, "10000.000")
    assert client.get(f"/api/v1/projects/{register['going'].pk}/").data["previous"] is None
    draft = Target.objects.get(plan__year=2024)
    goal = client.get(f"/api/v1/targets/{draft.pk}/").data
    assert (goal["previous"], goal["is_draft"]) == (register["goal"].pk, True)
    finding = Finding.objects.get(previous=register["open"])
    assert client.get(f"/api/v1/findings/{finding.pk}/").data["previous"] == register["open"].pk


def test_the_dashboard_compares_a_month_with_the_same_month_last_year(register, client, staff_user):
    rollover("--apply")
    carried = Project.objects.get(plan__year=2024)
    Project.objects.filter(pk=carried.pk).update(target_value=Decimal("6000"))
    ProgressReportFactory(item=carried, as_of=D(2024, 6, 30), value=Decimal("2500"))
    client.force_login(staff_user)
    page = client.get(reverse("admin:dashboard"), {"month": "2024-06", "compare": "previous_year"})
    last = page.context["previous_year"]
    assert (last.plan.year, last.month) == (2023, D(2023, 6, 1))
    assert last.register.actual_now == Decimal("4000")  # 2023's June figure (the 2,500 is 2024's)
    assert page.context["data"].investment.register.actual_now == Decimal("2500")
    assert 'id="dash-compare"' in page.content.decode()
    assert "previous_year" not in client.get(reverse("admin:dashboard"), {"month": "2024-06"}).context


def test_a_project_already_in_the_new_plan_is_linked_not_copied(register):
    new_plan = Plan.objects.create(year=2024, title="2024年工作计划", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    imported = ProjectFactory(plan=new_plan, code="2024-P01", target_value=Decimal("6000"))
    out = rollover("--apply")
    assert "plan 2024 exists, kept" in out
    imported.refresh_from_db()
    assert (imported.previous_id, imported.completed_before) == (register["going"].pk, Decimal("10000"))
    assert imported.target_value == Decimal("6000")  # staff's value kept
    assert Project.objects.filter(plan=new_plan).count() == 1
    assert Finding.objects.get(previous=register["open"]).item_id == imported.pk
