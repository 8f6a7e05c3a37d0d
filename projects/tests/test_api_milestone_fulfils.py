"""`fulfils` in the milestones API (issue 11's small gap): read by everyone, written by staff.

The same rules as the admin: one plan, another item, one step only; the goal's milestone takes its
actual date from the milestones that fulfil it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from projects.tests.factories import ProjectFactory
from targets.models import Milestone, Plan
from targets.tests.factories import MilestoneFactory, TargetFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/milestones/"


@pytest.fixture
def milestones(plan, departments):
    goal = TargetFactory(plan=plan, code="G23", lead_department=departments["bureau"])
    project = ProjectFactory(plan=plan, code="NP03", lead_department=departments["alpha"])
    return MilestoneFactory(item=goal, title="G23 开工"), MilestoneFactory(item=project, title="NP03 开工")


def test_staff_link_a_projects_milestone_to_the_goals_and_everyone_reads_it(api, milestones, staff_user, unit_user):
    goal_ms, project_ms = milestones
    staff = api(staff_user)
    linked = staff.patch(f"{URL}{project_ms.pk}/", {"fulfils": goal_ms.pk, "actual_date": "2023-06-20"}, format="json")
    assert (linked.status_code, linked.data["fulfils"]) == (200, goal_ms.pk), linked.content
    goal_ms.refresh_from_db()
    assert goal_ms.actual_date == dt.date(2023, 6, 20)  # the goal's milestone is done with the project's
    assert api(unit_user).get(f"{URL}{project_ms.pk}/").data["fulfils"] == goal_ms.pk
    assert staff.get(f"{URL}{goal_ms.pk}/").data["fulfils"] is None

    unlinked = staff.patch(f"{URL}{project_ms.pk}/", {"fulfils": None}, format="json")
    assert (unlinked.status_code, unlinked.data["fulfils"]) == (200, None)


def test_a_unit_may_not_change_the_link_but_may_save_its_milestone(api, milestones, unit_user):
    goal_ms, project_ms = milestones
    unit = api(unit_user)
    refused = unit.patch(f"{URL}{project_ms.pk}/", {"fulfils": goal_ms.pk}, format="json")
    assert (refused.status_code, refused.data["code"]) == (403, "permission_denied")
    assert Milestone.objects.get(pk=project_ms.pk).fulfils_id is None
    same = unit.patch(f"{URL}{project_ms.pk}/", {"fulfils": None, "title": "NP03 开工建设"}, format="json")
    assert same.status_code == 200, same.content


def test_the_link_rules_answer_with_their_codes(api, plan, milestones, staff_user):
    goal_ms, project_ms = milestones
    staff = api(staff_user)
    own = MilestoneFactory(item=project_ms.item, title="NP03 竣工", kind="completion")
    same_item = staff.patch(f"{URL}{own.pk}/", {"fulfils": project_ms.pk}, format="json")
    assert (same_item.status_code, same_item.data["fulfils"][0]["code"]) == (400, "fulfils_same_item")

    other_plan = Plan.objects.create(year=2024, title="2024", period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    elsewhere = MilestoneFactory(item=TargetFactory(plan=other_plan, code="G1"))
    other = staff.patch(f"{URL}{project_ms.pk}/", {"fulfils": elsewhere.pk}, format="json")
    assert (other.status_code, other.data["code"]) == (400, "fulfils_other_plan")

    staff.patch(f"{URL}{project_ms.pk}/", {"fulfils": goal_ms.pk}, format="json")
    second = MilestoneFactory(item=ProjectFactory(plan=plan, code="NP04"), title="NP04 开工")
    chain = staff.patch(f"{URL}{second.pk}/", {"fulfils": project_ms.pk}, format="json")
    assert (chain.status_code, chain.data["code"]) == (400, "fulfils_chain")
