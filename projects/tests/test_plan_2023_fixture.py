"""The real 2023 plan as a fixture: `loaddata plan_2023` loads it whole, and loading it again changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from projects.models import Project
from targets import rollups
from targets.models import Baseline, Checkpoint, Department, Milestone, Plan, Target, TrackedItem

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE = FIXTURES / "source" / "goals-2023.json"
BUREAU = "区发展改革局（区粮食物资局）"
MODELS = (Plan, Department, TrackedItem, Target, Project, Baseline, Checkpoint, Milestone)


@pytest.fixture
def loaded(db):
    call_command("loaddata", "plan_2023", verbosity=0)
    return Plan.objects.get(year=2023)


def goal(number: int) -> Target:
    return Target.objects.get(code=f"2023-G{number:02d}")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_loads_the_plan_with_its_source(loaded):
    assert loaded.title == "2023年工作计划"
    assert loaded.source == "《椒江区发展和改革局2022年工作总结和2023年工作思路》"
    assert (loaded.period_start, loaded.period_end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert loaded.threshold_green == Decimal("1.00")
    assert loaded.threshold_red == Decimal("0.60")


def test_it_loads_76_goals_with_codes_g01_to_g76(loaded):
    codes = list(Target.objects.filter(plan=loaded).order_by("code").values_list("code", flat=True))
    assert codes == [f"2023-G{n:02d}" for n in range(1, 77)]
    assert set(TrackedItem.objects.filter(code__contains="-G").values_list("kind", flat=True)) == {"goal"}


def test_it_states_the_headline_numbers_exactly(loaded):
    expected = {
        14: ("240", "count", "个", False),
        16: ("35", "count", "个", False),
        17: ("50", "count", "个", False),
        18: ("6000000", "amount", "万元", True),
        19: ("1200000", "amount", "万元", True),
        28: ("100", "percentage", "%", False),
        49: ("200", "count", "个", False),
        65: ("50000", "area", "亩", False),
        66: ("22000", "tonnage", "吨", False),
    }
    for number, (value, metric_kind, unit, show_in_yi) in expected.items():
        target = goal(number)
        assert (target.target_value, target.metric_kind, target.unit, target.show_in_yi) == (
            Decimal(value),
            metric_kind,
            unit,
            show_in_yi,
        ), number
        # As written (issue 10): a bare planned number is "=" (an excess is fine); 超N reads as ≥.
        assert target.comparator == ("=" if number in (14, 16) else ">="), number


def test_it_orders_the_headlines(loaded):
    headlines = Target.objects.filter(plan=loaded, is_headline=True).order_by("headline_order")
    assert [t.code for t in headlines] == [f"2023-G{n}" for n in (14, 16, 17, 19, 28, 49, 65, 66, 71, 72, 73)]
    assert [t.headline_order for t in headlines] == list(range(1, 12))


def test_it_keeps_the_project_hierarchy(loaded):
    assert {goal(n).parent.code for n in (15, 16, 17)} == {"2023-G14"}
    assert {goal(n).parent.code for n in (18, 19)} == {"2023-G17"}
    assert goal(20).parent.code == "2023-G19"
    assert goal(14).parent is None


def test_it_computes_the_project_goals_from_the_register(loaded):
    expected = {
        14: "major_projects",
        15: "industrial_share",
        16: "new_starts",
        17: "district_key_projects",
        18: "key_total_investment",
        19: "key_annual_plan",
        21: "provincial_major_industrial",
        24: "starts_by_q1",
        25: "completions",
        26: "provincial_key_projects",
        27: "concentrated_starts",
        28: "investment_completion_rate",
    }
    rolled = Target.objects.filter(plan=loaded, actual_source="rollup")
    assert {int(t.code[-2:]): t.rollup for t in rolled} == expected
    assert not Target.objects.filter(plan=loaded, actual_source="reported").exclude(rollup="").exists()


def test_it_leaves_relative_and_yes_no_goals_without_a_number(loaded):
    for number in (9, 30, 37, 57):
        target = goal(number)
        assert target.target_value is None
        assert target.target_text
        assert target.schedule_mode == "manual"
    assert goal(9).target_text == "城镇居民收入增速 ≥ GDP增速"
    yes_no = Target.objects.filter(plan=loaded, metric_kind="milestone")
    assert yes_no.count() == 33
    assert not yes_no.filter(target_value__isnull=False).exists()
    assert set(yes_no.values_list("schedule_mode", flat=True)) == {"milestones"}


def test_it_keeps_periods_and_commitment_words(loaded):
    assert (goal(24).period_start, goal(24).period_end) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert goal(24).modality == "安排"
    assert goal(26).modality == "力争"
    assert goal(68).comparator == ">"
    assert goal(53).target_value == Decimal("98.392")  # three decimals: the plan's number exactly (issue 10)
    assert goal(53).target_text == ""
    assert (goal(43).comparator, goal(43).tolerance) == ("~", Decimal("0.05"))  # 约80家


def test_it_gives_g16_the_start_rate_curve_and_g24_its_q1_count(loaded):
    curve = list(Checkpoint.objects.filter(item=goal(16)).values_list("date", "expected_value"))
    assert curve == [
        (dt.date(2023, 3, 31), Decimal("11")),
        (dt.date(2023, 6, 30), Decimal("21")),
        (dt.date(2023, 9, 30), Decimal("30")),
        (dt.date(2023, 10, 31), Decimal("35")),
    ]
    assert goal(16).schedule_mode == "checkpoints"
    assert list(Checkpoint.objects.filter(item=goal(24)).values_list("date", "expected_value")) == [
        (dt.date(2023, 3, 31), Decimal("38"))
    ]


def test_it_gives_every_goal_a_lead_unit(loaded):
    assert not Target.objects.filter(plan=loaded, lead_department__isnull=True).exists()
    assert goal(14).lead_department.name == BUREAU
    assert goal(14).lead_department.short_name == "区发改局"
    assert goal(4).lead_department.name == "区政府"  # the bureau is not hinted
    assert goal(1).lead_department.name == BUREAU  # 区政府 is hinted first, but the bureau is hinted too
    assert goal(53).lead_department.kind == "state_company"
    assert goal(71).lead_department.name == BUREAU  # 区粮食物资局 is the bureau itself
    assert set(goal(76).cooperating_departments.values_list("name", flat=True)) == {"区民政局", "区人力资源和社会保障局"}
    for target in Target.objects.filter(plan=loaded):
        assert target.lead_department not in target.cooperating_departments.all(), target.code


def test_it_classifies_the_units(loaded):
    kinds = dict(Department.objects.values_list("name", "kind"))
    assert kinds["大陈镇"] == "township"
    assert kinds["国网台州市椒江区供电公司"] == "state_company"
    assert kinds["杰克股份"] == "enterprise"
    assert kinds["信质集团"] == "enterprise"
    assert kinds["项目业主单位"] == "other"
    assert kinds["区重点建设项目促进中心"] == "district_department"
    # The bureau's other names (本局, 价格职能) are the bureau, not units of their own.
    assert Department.objects.filter(short_name="区发改局").count() == 1
    assert not Department.objects.filter(name__in=["区粮食物资局（本局）", "区发改局（价格职能）", "区粮食物资局"]).exists()


def test_it_attaches_the_2022_baselines(loaded):
    assert Baseline.objects.filter(plan=loaded, year=2022).count() == 41
    b15 = Baseline.objects.get(code="B15")
    assert b15.value is None
    assert "built=242" in b15.value_text
    assert list(b15.targets.values_list("code", flat=True)) == ["2023-G49"]
    g49 = goal(49)
    assert (g49.baseline_value, g49.baseline_date) == (Decimal("242"), dt.date(2022, 12, 31))
    assert g49.baseline_note.startswith("B15：")
    assert goal(18).baseline_value == Decimal("10178000")  # 1017.8亿元 in 万元
    assert goal(28).baseline_value == Decimal("125.7")
    assert Baseline.objects.get(code="B10").value == Decimal("360")
    # Linked but not the same measure: a note only.
    assert goal(2).baseline_value is None
    assert "B24" in goal(2).baseline_note
    # Links from either side of the JSON (B28 names G31; G31 lists only B30).
    assert set(goal(31).baselines.values_list("code", flat=True)) == {"B28", "B30"}


def test_it_loads_the_42_named_projects(loaded):
    projects = Project.objects.filter(plan=loaded)
    assert projects.count() == 42
    assert list(projects.order_by("code").values_list("code", flat=True)) == [f"2023-NP{n:02d}" for n in range(1, 43)]
    assert set(projects.values_list("kind", flat=True)) == {"project"}
    assert not projects.filter(lead_department__isnull=True).exists()
    assert not projects.filter(is_demo=True).exists()
    assert not projects.filter(pk__in=Target.objects.values("pk")).exists()


def test_it_records_what_the_plan_says_about_named_projects(loaded):
    xinzhi = Project.objects.get(code="2023-NP01")
    assert xinzhi.owner_company == "信质集团"
    assert xinzhi.category == "industrial"
    assert xinzhi.is_provincial_major_industrial is False  # the aim, not a fact
    assert list(xinzhi.milestones.values_list("kind", "planned_date")) == [("listing", dt.date(2023, 12, 31))]

    for name in ("下陈中学", "心海小学", "金融大厦", "农港城二期"):
        project = Project.objects.get(title=name)
        milestone = project.milestones.get()
        assert (milestone.kind, milestone.title, milestone.planned_date) == ("completion", "竣工", dt.date(2023, 12, 31))
        assert milestone.actual_date is None
        assert list(project.goals.values_list("code", flat=True)) == ["2023-G25"]

    for name in ("商贸核心区城市提质工程", "久凯电力项目"):
        project = Project.objects.get(title=name)
        assert list(project.milestones.values_list("kind", "planned_date")) == [("start", dt.date(2023, 3, 31))]
        assert project.lead_department.name == "区重点建设项目促进中心"
    assert Project.objects.get(title="解放路过江隧道").milestones.get().planned_date == dt.date(2023, 12, 31)
    assert not Project.objects.get(title="海城路").milestones.exists()  # 重抓: no end state

    xiachen = Project.objects.get(title="下陈中学")
    assert (xiachen.total_investment, xiachen.is_major, xiachen.is_district_key) == (Decimal("28908"), True, True)
    assert xiachen.category == "livelihood"
    # With no total, the plan's own words set the level: G25's key projects, G23's major infrastructure.
    assert set(Project.objects.filter(total_investment__isnull=True, is_major=True).values_list("title", flat=True)) == {
        "外沙岩头公共管廊工程", "解放路过江隧道", "金融大厦", "农港城二期"
    }  # fmt: skip
    assert set(Project.objects.filter(is_district_key=True).values_list("code", flat=True)) == {
        "2023-NP08", "2023-NP09", "2023-NP10", "2023-NP11"
    }  # fmt: skip
    assert Project.objects.get(title="大陈岛碳中和示范区").township == "大陈镇"


def test_it_has_no_actual_dates(loaded):
    assert not Milestone.objects.filter(actual_date__isnull=False).exists()
    assert Milestone.objects.filter(item__kind="project", kind="start").count() == 10
    assert Milestone.objects.filter(item__kind="project", kind="completion").count() == 4
    assert list(Milestone.objects.filter(item=goal(6)).values_list("planned_date", flat=True)) == [
        dt.date(2023, 3, 31),
        dt.date(2023, 6, 30),
        dt.date(2023, 12, 31),
    ]
    # 尽快 has no date: confirmed at the period end, so the goal gets a final verdict (issue 10).
    assert list(Milestone.objects.filter(item=goal(12)).values_list("planned_date", flat=True)) == [dt.date(2023, 12, 31)]


def test_it_passes_model_validation(loaded):
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_it_loads_twice_without_duplicates(loaded):
    before = counts()
    m2m = (
        sorted(goal(76).cooperating_departments.values_list("pk", flat=True)),
        sorted(Baseline.objects.get(code="B22").targets.values_list("pk", flat=True)),
    )
    call_command("loaddata", "plan_2023", verbosity=0)
    assert counts() == before
    assert before["Target"] == 76
    assert before["Project"] == 42
    assert before["TrackedItem"] == 118
    assert (
        sorted(goal(76).cooperating_departments.values_list("pk", flat=True)),
        sorted(Baseline.objects.get(code="B22").targets.values_list("pk", flat=True)),
    ) == m2m


def test_it_leaves_room_for_new_rows_after_loading(loaded):
    """loaddata resets the sequences (PostgreSQL), so rows added later do not collide with its pks."""
    unit = Department.objects.create(name="区审计局")
    milestone = Milestone.objects.create(item=goal(13), title="培育库建成")
    assert unit.pk > Department.objects.exclude(pk=unit.pk).order_by("-pk").first().pk
    assert milestone.pk > 204201


def test_it_computes_the_rollups_of_the_loaded_plan(loaded):
    values = rollups.compute_all(loaded, dt.date(2023, 12, 31))
    # The four key projects G25 names (下陈中学 28,908万元 and 心海小学 37,700万元 with a known total)
    # and the two major infrastructure projects G23 names.
    assert values["major_projects"] == 6
    assert values["district_key_projects"] == 4
    assert values["key_total_investment"] == Decimal("66608")
    assert values["industrial_share"] == 0  # both are schools
    assert values["key_annual_plan"] == 0
    assert values["investment_completion_rate"] == 0
    assert values["provincial_major_industrial"] == 0
    for key in ("new_starts", "starts_by_q1", "completions", "concentrated_starts"):
        assert values[key] == 0, key

    # Record what happened (as the press reported it) and the roll-ups follow.
    Milestone.objects.filter(item__code="2023-NP03", kind="start").update(actual_date=dt.date(2023, 2, 21))
    Milestone.objects.filter(item__code="2023-NP07", kind="start").update(actual_date=dt.date(2023, 2, 21))
    Milestone.objects.filter(item__code="2023-NP08", kind="completion").update(actual_date=dt.date(2023, 8, 27))
    Project.objects.filter(code="2023-NP03").update(batch_level="city", batch_date=dt.date(2023, 2, 21))
    Project.objects.filter(code="2023-NP01").update(is_provincial_major_industrial=True)
    q1 = rollups.compute_all(loaded, dt.date(2023, 3, 31))
    # NP07 (a Q1 start of G24, size unknown) is not one of G16's major-project new starts.
    assert (q1["new_starts"], q1["starts_by_q1"], q1["completions"], q1["concentrated_starts"]) == (1, 2, 0, 1)
    year = rollups.compute_all(loaded, dt.date(2023, 12, 31))
    assert (year["new_starts"], year["completions"], year["provincial_major_industrial"]) == (1, 1, 1)


def test_it_is_what_the_build_script_writes(tmp_path):
    """The committed fixture is the script's output for goals-2023.json, byte for byte."""
    script = FIXTURES / "build_plan_2023.py"
    copy = tmp_path / "fixtures" / "build_plan_2023.py"
    copy.parent.mkdir()
    copy.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, str(copy), str(SOURCE)], check=True, capture_output=True)
    written = (tmp_path / "fixtures" / "plan_2023.json").read_bytes()
    assert written == (FIXTURES / "plan_2023.json").read_bytes()
    assert len(json.loads(written)) > 300


# --- One event, one finding: project milestones that fulfil a goal milestone ------------------------

EVENTS = {
    "2023-NP03": "2023-G23", "2023-NP04": "2023-G23", "2023-NP27": "2023-G41", "2023-NP29": "2023-G52",
    "2023-NP32": "2023-G55", "2023-NP33": "2023-G55", "2023-NP34": "2023-G56", "2023-NP42": "2023-G70",
}  # fmt: skip


def test_it_links_each_event_the_plan_names_twice(loaded):
    links = Milestone.objects.filter(fulfils__isnull=False).values_list(
        "item__code", "fulfils__item__code", "kind", "fulfils__kind"
    )
    assert {(project, goal) for project, goal, _k, _g in links} == set(EVENTS.items())
    assert all(kind == goal_kind for _p, _g, kind, goal_kind in links)  # the same event: the same kind


def test_one_missed_event_opens_one_finding_on_the_project_that_carries_it(loaded):
    from targets.engine.supervision import supervise
    from targets.models import Finding

    supervise(loaded, dt.date(2024, 1, 2))  # every 2023 milestone is past the period end, undone

    goal_codes = set(EVENTS.values())
    assert not Finding.objects.filter(item__code__in=goal_codes).exists()
    for project, goal_code in EVENTS.items():
        # Start and completion events: the project's milestone finding (its red light for the
        # missing monthly reports is another lag, with its own finding).
        assert Finding.objects.filter(item__code=project, milestone__fulfils__item__code=goal_code).count() == (
            0 if project in ("2023-NP29", "2023-NP34") else 1
        ), project
    # Listings and designations (G52/NP29, G56/NP34) open no milestone finding: the project's red one carries them.
    assert Finding.objects.filter(item__code__in=["2023-NP29", "2023-NP34"], cause="red").count() == 2
    missed = Finding.objects.get(item__code="2023-NP03", cause="milestone_missed")
    assert "2023-G23" in missed.description  # the one finding names the goal's milestone too
    # Unlinked, the same kind of miss still opens a finding on the goal (G35's listing is not a project's).
    assert Finding.objects.filter(item__code="2023-G35").exists()


def test_the_goal_milestone_is_done_when_every_project_milestone_fulfilling_it_is(loaded):
    goal_milestone = Milestone.objects.get(item__code="2023-G23")
    np03, np04 = (Milestone.objects.get(item__code=code) for code in ("2023-NP03", "2023-NP04"))

    np03.actual_date = dt.date(2023, 2, 21)
    np03.save()
    goal_milestone.refresh_from_db()
    assert goal_milestone.actual_date is None  # NP04 has not started

    np04.actual_date = dt.date(2023, 9, 1)
    np04.save()
    goal_milestone.refresh_from_db()
    assert goal_milestone.actual_date == dt.date(2023, 9, 1)  # the later of the two
    assert goal_milestone.history.first().actual_date == dt.date(2023, 9, 1)  # audited

    np04.actual_date = None  # entered by mistake
    np04.save()
    goal_milestone.refresh_from_db()
    assert goal_milestone.actual_date is None


@pytest.mark.parametrize(
    ("item_code", "fulfils_code", "error"),
    [
        ("2023-NP05", "2023-G23", None),  # another project's start may fulfil G23 too
        ("2023-G23", "2023-G23", "fulfils_same_item"),
        ("2023-NP05", "2023-NP03", "fulfils_chain"),  # NP03's milestone already fulfils G23's
        ("2023-G23", "2023-G41", "fulfils_chain"),  # G23's milestone is fulfilled by others
    ],
)
def test_a_milestone_link_joins_two_items_of_one_plan_in_one_step(loaded, item_code, fulfils_code, error):
    milestone = Milestone.objects.get(item__code=item_code)
    milestone.fulfils = Milestone.objects.get(item__code=fulfils_code)
    if error is None:
        milestone.full_clean()
        return
    with pytest.raises(ValidationError) as raised:
        milestone.full_clean()
    assert raised.value.error_dict["fulfils"][0].code == error


def test_a_milestone_cannot_fulfil_one_of_another_plan(loaded):
    other = Plan.objects.create(
        year=2024, title="2024年工作计划", period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31)
    )
    goal_2024 = Target.objects.create(
        plan=other, code="2024-G01", title="目标", period_start=other.period_start, period_end=other.period_end,
        metric_kind="milestone",
    )  # fmt: skip
    milestone = Milestone.objects.get(item__code="2023-NP05")
    milestone.fulfils = Milestone.objects.create(item=goal_2024, title="开工", kind="start")
    with pytest.raises(ValidationError) as raised:
        milestone.full_clean()
    assert raised.value.error_dict["fulfils"][0].code == "fulfils_other_plan"
