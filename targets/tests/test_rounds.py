"""Supervision rounds freeze the open findings; notices are numbered, dated and counted once per unit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from targets.findings import rounds
from targets.models import Dispatch, HolidayOverride, RoundFinding

from .factories import AmountGoalFactory, DepartmentFactory, PersonFactory, PlanFactory, TargetFactory
from .supervision_data import make_finding

D = dt.date


@pytest.fixture
def register(plan, departments):
    """Open, in-progress, close-out-requested, closed and dismissed findings of two units."""
    leader = PersonFactory(name="王副区长", title="副区长", is_leader=True, department=departments["bureau"])
    contact = PersonFactory(name="李联络", title="科长", phone="0576-88000001", department=departments["alpha"])
    project = AmountGoalFactory(
        plan=plan,
        code="P-001",
        title="椒江大桥改建工程",
        lead_department=departments["alpha"],
        responsible_leader=leader,
        contact=contact,
    )
    project.cooperating_departments.add(departments["beta"])
    goal = TargetFactory(plan=plan, code="G16", title="新开工项目35个", lead_department=departments["beta"])
    rows = {
        "open": make_finding(project, cause="red"),
        "in_progress": make_finding(project, cause="milestone_missed", state="in_progress", measures="倒排工期"),
        "requested": make_finding(goal, cause="red", state="closure_requested", measures="已开工"),
        "closed": make_finding(goal, cause="yellow_twice", state="closed"),
        "dismissed": make_finding(goal, cause="manual", state="dismissed", dismissed_reason="重复"),
    }
    rows["open"].cooperating_departments.add(departments["beta"])
    return rows


def test_it_snapshots_the_open_findings_only(plan, register, staff_user):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", staff_user)

    frozen = set(round_.entries.values_list("finding_id", flat=True))
    assert frozen == {register["open"].pk, register["in_progress"].pk, register["requested"].pk}
    assert round_.created_by == staff_user


def test_it_keeps_the_three_lists_as_they_stood(plan, register, departments):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", None)
    finding = register["open"]
    finding.measures = "后来录入的措施"
    finding.save()

    data = RoundFinding.objects.get(round=round_, finding=finding).data
    assert data["number"] == f"2023-{finding.pk:04d}"
    assert data["item_code"] == "P-001"
    assert data["item_title"] == "椒江大桥改建工程"
    assert data["cause"] == "red"
    assert data["description"] == "6月末应完成4000万元，实际完成1500万元。"
    assert data["problems"] == "政策处理未完成"
    assert data["opened_on"] == "2023-06-30"
    assert data["light_when_found"] == "red"
    assert data["expected"] == "4000.000"  # three decimals (issue 10)
    assert data["value_unit"] == "万元"
    assert data["responsible_leader"] == "王副区长（副区长）"
    assert data["department"] == "区市场监督管理局"
    assert data["department_id"] == departments["alpha"].pk
    assert data["cooperating_departments"] == ["卫健局"]
    assert data["contact"] == "李联络"
    assert data["contact_phone"] == "0576-88000001"
    assert data["owner_company"] == ""  # a goal has no 项目业主 (a project's: projects/tests/test_three_lists_owner.py)
    assert data["deadline"] == "2023-07-14"
    assert data["measures"] == ""  # as it stood


def test_it_numbers_rounds_per_plan(plan, register):
    other = PlanFactory(year=2024)
    first = rounds.start_round(plan, D(2023, 5, 10), "5月", "site_inspection")
    second = rounds.start_round(plan, D(2023, 7, 3), "7月", "meeting")
    elsewhere = rounds.start_round(other, D(2024, 3, 1), "3月", "automatic")

    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert rounds.round_label(second) == "2023-R2"


def test_it_dispatches_once_per_unit_with_stable_numbers(plan, register, departments, staff_user):
    rounds.start_round(plan, D(2023, 5, 10), "5月", "site_inspection")
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    sent = dt.datetime(2023, 7, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    alpha = rounds.dispatch(round_, departments["alpha"], staff_user, sent_at=sent)
    again = rounds.dispatch(round_, departments["alpha"], staff_user, sent_at=sent + dt.timedelta(days=3))
    beta = rounds.dispatch(round_, departments["beta"], staff_user, sent_at=sent)

    assert again.pk == alpha.pk
    assert again.sent_at == sent
    assert (alpha.number, beta.number) == ("2023-R2-001", "2023-R2-002")
    assert (alpha.items, beta.items) == (2, 1)
    assert Dispatch.objects.filter(round=round_).count() == 2
    assert rounds.dispatch_count(plan) == 2


def test_it_counts_the_notices_of_every_round_of_the_plan(plan, register, departments):
    for number in range(3):
        round_ = rounds.start_round(plan, D(2023, 4 + number, 10), f"第{number + 1}轮", "site_inspection")
        rounds.dispatch(round_, departments["alpha"])
        rounds.dispatch(round_, departments["beta"])
    other = PlanFactory(year=2024)
    make_finding(AmountGoalFactory(plan=other, lead_department=departments["alpha"]))
    rounds.dispatch(rounds.start_round(other, D(2024, 3, 1), "3月", "site_inspection"), departments["alpha"])

    assert rounds.dispatch_count(plan) == 6
    assert rounds.dispatch_count(other) == 1


def test_it_sets_the_reply_deadline_in_working_days(plan, register, departments):
    plan.reply_workdays = 5
    plan.save()
    round_ = rounds.start_round(plan, D(2023, 9, 27), "9月", "site_inspection")

    # Sent on Thursday 28 September 2023: the National Day and Mid-Autumn holiday runs 29 Sep - 6 Oct,
    # with make-up working days on Saturday 7 and Sunday 8 October.
    record = rounds.dispatch(round_, departments["alpha"], sent_at=D(2023, 9, 28))

    assert record.reply_due == D(2023, 10, 11)


def test_it_applies_the_bureaus_working_day_overrides(plan, register, departments):
    plan.reply_workdays = 1
    plan.save()
    HolidayOverride.objects.create(date=D(2023, 7, 5), is_workday=False, note="台风停工")
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")

    record = rounds.dispatch(round_, departments["alpha"], sent_at=D(2023, 7, 4))

    assert record.reply_due == D(2023, 7, 6)


def test_it_sends_nothing_to_a_unit_without_findings_in_the_round(plan, register):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")

    with pytest.raises(ValidationError):
        rounds.dispatch(round_, DepartmentFactory())
    assert not round_.dispatches.exists()


def test_it_lists_the_units_of_a_round(plan, register, departments):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    rounds.dispatch(round_, departments["beta"])

    units = rounds.units(round_)

    assert [(u.name, u.items, u.dispatch is not None) for u in units] == [
        ("区卫生健康局", 1, True),
        ("区市场监督管理局", 2, False),
    ]


def test_it_retakes_the_snapshot_only_before_the_first_notice(plan, register, departments):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    project = register["open"].item
    added = make_finding(project, cause="manual", source="site_inspection")

    assert rounds.refresh(round_) == 4
    assert round_.entries.filter(finding=added).exists()

    rounds.dispatch(round_, departments["alpha"])
    with pytest.raises(ValidationError):
        rounds.refresh(round_)
    assert round_.entries.count() == 4
