"""The dashboard's sections as plain functions, on the crafted register of dashboard_data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict

from projects.dashboard import filters as dashboard_filters
from projects.dashboard.battle_map import DONE, OVERDUE, PLANNED, battle_map
from projects.dashboard.filters import Filters
from projects.dashboard.headline import elapsed_percent, headline_section
from projects.dashboard.investment import investment_section
from projects.dashboard.ranking import ranking, share
from projects.dashboard.responsibility import all_lines, responsibility
from projects.rollups import compute_all
from projects.tests.factories import ProjectFactory
from targets.choices import Rollup
from targets.headlines import completion_percent
from targets.models import Checkpoint, ProgressReport, StatusSnapshot
from targets.tests.supervision_data import make_finding, make_run, make_snapshot

from .dashboard_data import JULY_END, build_register, report

D = dt.date
JULY = Filters(month=D(2023, 7, 1))


@pytest.fixture
def register(plan, departments):
    return build_register(plan, departments)


def marks(row) -> dict[int, list[tuple[str, str]]]:
    """{month number: [(kind, title)]} of a battle-map row's non-empty cells."""
    return {index + 1: [(m.kind, m.title) for m in cell] for index, cell in enumerate(row.cells) if cell}


# --- filters -------------------------------------------------------------------------------------


def test_it_defaults_to_the_last_complete_month_of_the_plan(plan):
    assert dashboard_filters.default_month(plan, D(2023, 7, 10)) == D(2023, 6, 1)
    assert dashboard_filters.default_month(plan, D(2023, 7, 31)) == D(2023, 6, 1)  # July is not over yet
    assert dashboard_filters.default_month(plan, D(2026, 11, 29)) == D(2023, 12, 1)
    assert dashboard_filters.default_month(plan, D(2023, 1, 15)) == D(2023, 1, 1)


def test_it_parses_valid_filters(register):
    offered = dashboard_filters.options(register.plan)
    params = QueryDict(
        f"month=2023-07&unit={register.alpha.pk}&leader={register.wang.pk}&category=industrial&level=is_district_key"
    )
    chosen, errors = dashboard_filters.parse(params, register.plan, offered, D(2023, 9, 1))
    assert errors == []
    assert chosen == Filters(
        month=D(2023, 7, 1), unit_id=register.alpha.pk, leader_id=register.wang.pk, category="industrial", level="is_district_key"
    )
    assert chosen.as_of == JULY_END
    assert [name for _pk, name in offered.units] == sorted([register.alpha.name, register.beta.name])


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("month=2023-13", "YYYY-MM"),
        ("month=July", "YYYY-MM"),
        ("month=2024-01", "2023-01"),
        ("unit=999999", "999999"),
        ("unit=abc", "abc"),
        ("leader=-1", "-1"),
        ("category=bridges", "bridges"),
        ("level=is_superb", "is_superb"),
    ],
)
def test_it_rejects_invalid_filter_values_with_a_message(register, query, fragment):
    offered = dashboard_filters.options(register.plan)
    chosen, errors = dashboard_filters.parse(QueryDict(query), register.plan, offered, D(2023, 8, 15))
    assert len(errors) == 1
    assert fragment in errors[0]
    # The bad value is left off; the rest stands.
    assert chosen == Filters(month=D(2023, 7, 1))


# --- battle map ----------------------------------------------------------------------------------


def test_it_marks_planned_done_and_overdue_milestones(register):
    section = battle_map(register.plan, JULY_END, JULY)
    assert [row.code for row in section.rows] == ["P1", "P2"]
    p1 = section.rows[0]
    assert marks(p1) == {
        3: [(PLANNED, "开工")],
        4: [(DONE, "开工")],
        5: [(OVERDUE, "主体完工")],
        6: [(OVERDUE, "设备安装")],  # done on 08-05: not yet at the end of July
        9: [(PLANNED, "竣工")],
    }
    assert (p1.planned, p1.done, p1.overdue) == (2, 1, 2)
    assert marks(section.rows[1]) == {}
    assert section.overdue == 2
    assert len(section.months) == 12


def test_it_marks_a_late_milestone_done_once_the_month_is_read_after_it(register):
    august = Filters(month=D(2023, 8, 1))
    p1 = battle_map(register.plan, august.as_of, august).rows[0]
    assert marks(p1)[6] == [(PLANNED, "设备安装")]
    assert marks(p1)[8] == [(DONE, "设备安装")]
    assert p1.overdue == 1


# --- investment ----------------------------------------------------------------------------------


def test_it_sums_cumulative_plan_and_actual_by_month(register):
    section = investment_section(register.plan, JULY_END, JULY)
    series = section.register
    assert section.as_of_index == 6
    assert series.annual_plan == Decimal("10000")
    # P1's plan steps from its checkpoints; P2's starts in June.
    assert series.plan == [None, 1000, 2000, 3000, 4000, 5500, 6000, 6000, 6000, 6000, 6000, 10000]
    # Latest report by each month end, carried forward; nothing after July.
    assert series.actual == [0, 0, 1500, 1500, 3000, 3800, 3800, None, None, None, None, None]
    assert series.plan_now == 6000
    assert series.actual_now == 3800
    assert series.rate_now == Decimal("63.3")
    assert series.annual_rate_now == Decimal("38.0")
    # The July figure is the completed-investment roll-up of the same date.
    assert series.actual_now == compute_all(register.plan, JULY_END)[Rollup.COMPLETED_INVESTMENT]


def test_it_splits_the_investment_by_lead_unit(register):
    section = investment_section(register.plan, JULY_END, JULY)
    by_unit = {series.label: series for series in section.units}
    assert [series.label for series in section.units] == [register.alpha.name, register.beta.name]  # bigger plan first
    alpha, beta = by_unit[register.alpha.name], by_unit[register.beta.name]
    assert (alpha.annual_plan, alpha.plan_now, alpha.actual_now) == (8000, 5000, 3000)
    assert (beta.annual_plan, beta.plan_now, beta.actual_now) == (2000, 1000, 800)
    for index in range(12):
        assert section.register.actual[index] == (
            None if alpha.actual[index] is None else alpha.actual[index] + beta.actual[index]
        ), index


# --- responsibility ------------------------------------------------------------------------------


def lines_by_group(plan, as_of, filters) -> list[tuple[str, str, list[tuple]]]:
    """The workbook's item lines (responsibility.all_lines) as [(leader, unit, [(code, colour, findings, worst)])]."""
    tree: list[tuple[str, str, list[tuple]]] = []
    for group, line in all_lines(plan, as_of, filters, chunk_size=1):  # one row per chunk: the chunking is exercised
        if not tree or tree[-1][:2] != (group.leader, group.unit):
            tree.append((group.leader, group.unit, []))
        tree[-1][2].append((line.code, line.status, line.findings, line.worst_level))
    return tree


def test_it_groups_items_by_leader_and_unit_with_open_findings(register):
    section = responsibility(register.plan, JULY_END, JULY)
    assert section.run_date == D(2023, 7, 10)
    counted = [
        (g.leader, g.unit, g.items, g.red, g.yellow, g.on_time, g.evaluated, g.findings, g.worst_level) for g in section.groups
    ]
    assert counted == [
        ("王一（副区长）", register.alpha.name, 2, 1, 1, 0, 2, 1, 2),
        ("赵二（副区长）", register.beta.name, 1, 0, 0, 1, 1, 0, None),
    ]
    assert lines_by_group(register.plan, JULY_END, JULY) == [
        ("王一（副区长）", register.alpha.name, [("2023-G14", "yellow", 0, None), ("P1", "red", 1, 2)]),
        ("赵二（副区长）", register.beta.name, [("P2", "green", 0, None)]),
    ]


def test_it_lists_the_reds_first_and_counts_them_all(register):
    section = responsibility(register.plan, JULY_END, JULY)
    assert section.red_count == 1
    assert [(line.code, line.unit, line.leader, line.findings, line.worst_level) for line in section.reds] == [
        ("P1", register.alpha.name, "王一", 1, 2)
    ]


def test_it_bounds_the_reds_shown_but_counts_every_one(plan, departments, monkeypatch):
    make_run(plan, D(2023, 7, 10))
    for n in range(5):
        make_snapshot(ProjectFactory(plan=plan, code=f"R{n}", lead_department=departments["alpha"]), D(2023, 7, 10), "red")
    monkeypatch.setattr("projects.dashboard.responsibility.REDS_SHOWN", 3)
    section = responsibility(plan, JULY_END, JULY)
    assert section.red_count == 5
    assert [line.code for line in section.reds] == ["R0", "R1", "R2"]


def test_it_counts_findings_open_at_the_month_end(register):
    june = Filters(month=D(2023, 6, 1))
    lines = {code: rest for _l, _u, items in lines_by_group(register.plan, june.as_of, june) for code, *rest in items}
    # 06-30: both P1 findings are open (one closed later, on 07-05); no run yet, so no colours.
    assert lines["P1"] == [None, 2, 2]
    august = Filters(month=D(2023, 8, 1))
    lines = {code: rest for _l, _u, items in lines_by_group(register.plan, august.as_of, august) for code, *rest in items}
    assert (lines["P1"][1], lines["P2"][1]) == (1, 1)
    assert lines["P1"][0] == "green"  # the 08-10 run


# --- ranking -------------------------------------------------------------------------------------


def test_it_ranks_units_by_on_time_rate(register):
    ranks = ranking(register.plan, JULY_END, JULY)
    assert [(r.rank, r.unit) for r in ranks] == [(1, register.beta.name), (2, register.alpha.name)]
    beta, alpha = ranks
    assert (beta.items, beta.evaluated, beta.on_time, beta.on_time_rate) == (1, 1, 1, Decimal("100.0"))
    assert (alpha.items, alpha.evaluated, alpha.on_time, alpha.on_time_rate) == (2, 2, 0, Decimal("0.0"))
    # Reports due by 07-31: February to June for each project (the goal is a roll-up: no reports).
    assert (alpha.reports_due, alpha.reports_on_time, alpha.report_rate) == (5, 1, Decimal("20.0"))
    assert (beta.reports_due, beta.reports_on_time) == (5, 1)
    assert (alpha.findings, alpha.worst_level, beta.findings, beta.worst_level) == (1, 2, 0, None)


def test_it_breaks_ties_by_reports_then_findings_and_shares_equal_ranks(plan):
    run = D(2023, 7, 10)
    make_run(plan, run)
    units = {}
    for name in ("丙单位", "甲单位", "乙单位", "丁单位"):
        project = ProjectFactory(plan=plan, code=f"T-{name}", lead_department__name=name)
        make_snapshot(project, run, "green")
        units[name] = project
    make_finding(units["丙单位"], opened_on=D(2023, 7, 1), level=3)  # same rates, one open finding: behind 甲 and 乙
    # 丁 reported on time in June: a better report rate puts it first.
    report(units["丁单位"], D(2023, 6, 30), "100", D(2023, 7, 3))
    ranks = ranking(plan, JULY_END, JULY)
    assert [(r.rank, r.unit) for r in ranks] == [(1, "丁单位"), (2, "乙单位"), (2, "甲单位"), (4, "丙单位")]
    assert [r.unit for r in ranks[1:3]] == sorted(["甲单位", "乙单位"])  # equal: listed by name


# --- headlines -----------------------------------------------------------------------------------


def test_it_gives_each_headline_the_colour_of_its_snapshot(register):
    for month, run in ((D(2023, 7, 1), D(2023, 7, 10)), (D(2023, 8, 1), D(2023, 8, 10))):
        chosen = Filters(month=month)
        section = headline_section(register.plan, chosen.as_of, chosen)
        assert section.run_date == run
        for row in section.rows:
            assert row.status == StatusSnapshot.objects.get(item_id=row.pk, date=run).status
    july = headline_section(register.plan, JULY_END, JULY)
    (row,) = july.rows
    assert (row.code, row.status, row.actual, row.selection) == ("2023-G14", "yellow", 2, None)


def test_it_has_no_colour_before_the_first_run(register):
    june = Filters(month=D(2023, 6, 1))
    (row,) = headline_section(register.plan, june.as_of, june).rows
    assert row.status is None


def test_it_sets_completed_investment_against_time_elapsed(register):
    section = headline_section(register.plan, JULY_END, JULY)
    figures = section.register
    assert (figures.completed, figures.annual_plan) == (3800, 10000)
    assert figures.completion == Decimal("38.0")
    assert figures.elapsed == Decimal("58.3")  # 7 of 12 months
    assert figures.gap_points == Decimal("-20.3")
    assert elapsed_percent(register.plan, D(2023, 12, 31)) == 100
    assert elapsed_percent(register.plan, D(2023, 7, 30)) == Decimal("50.0")


def test_it_rounds_percentages_half_up_as_the_monthly_table_does(plan):
    # 245 ÷ 2,000 = 12.25%: the bureau and the monthly table write 12.3 (half-even would give 12.2).
    project = ProjectFactory(plan=plan, code="R1", target_value=Decimal("2000"))
    Checkpoint.objects.create(item=project, date=JULY_END, expected_value=Decimal("2000"))
    report(project, JULY_END, "245", D(2023, 8, 3))

    assert headline_section(plan, JULY_END, JULY).register.completion == Decimal("12.3")
    series = investment_section(plan, JULY_END, JULY).register
    assert (series.rate_now, series.annual_rate_now) == (Decimal("12.3"), Decimal("12.3"))
    assert share(1, 16) == Decimal("6.3")  # the ranking's rates: 6.25%
    assert completion_percent(project, Decimal("245")) == Decimal("12.3")  # the headline rows' 完成率


# --- filters narrow every section -----------------------------------------------------------------


def test_it_narrows_every_section_to_the_selection(register):
    chosen = Filters(month=D(2023, 7, 1), unit_id=register.alpha.pk)
    assert [row.code for row in battle_map(register.plan, JULY_END, chosen).rows] == ["P1"]
    investment = investment_section(register.plan, JULY_END, chosen)
    assert (investment.register.annual_plan, investment.register.actual_now) == (8000, 3000)
    assert [s.label for s in investment.units] == [register.alpha.name]
    assert [
        (leader, [code for code, *_rest in lines]) for leader, _unit, lines in lines_by_group(register.plan, JULY_END, chosen)
    ] == [("王一（副区长）", ["2023-G14", "P1"])]
    assert [r.unit for r in ranking(register.plan, JULY_END, chosen)] == [register.alpha.name]
    headline = headline_section(register.plan, JULY_END, chosen)
    assert headline.rows[0].selection == 1  # major projects among the selection
    assert headline.rows[0].actual == 2  # the goal itself is the plan's
    assert headline.register.completed == 3000


@pytest.mark.parametrize(
    ("narrowing", "projects", "items"),
    [
        ({"category": "services"}, ["P2"], ["P2"]),
        ({"level": "is_district_key"}, ["P1"], ["P1"]),
        ({"level": "is_city_key"}, ["P2"], ["P2"]),
        ({"leader": "zhao"}, ["P2"], ["P2"]),
    ],
)
def test_it_narrows_by_category_level_and_leader(register, narrowing, projects, items):
    if narrowing.get("leader"):
        narrowing = {"leader_id": register.zhao.pk}
    chosen = Filters(month=D(2023, 7, 1), **narrowing)
    assert [row.code for row in battle_map(register.plan, JULY_END, chosen).rows] == projects
    codes = [code for _leader, _unit, lines in lines_by_group(register.plan, JULY_END, chosen) for code, *_rest in lines]
    assert codes == items  # goals have no category or level
    assert investment_section(register.plan, JULY_END, chosen).register.annual_plan == sum(
        p.target_value for p in (register.p1, register.p2) if p.code in projects
    )


def test_it_counts_a_report_on_time_until_the_end_of_the_due_day_in_local_time(plan):
    make_run(plan, D(2023, 7, 10))
    early, late = (
        ProjectFactory(plan=plan, code=code, lead_department__name=name) for code, name in (("E", "早单位"), ("L", "晚单位"))
    )
    shanghai = dt.timezone(dt.timedelta(hours=8))
    ProgressReport.objects.create(
        item=early, as_of=D(2023, 6, 30), value=Decimal("1"), submitted_at=dt.datetime(2023, 7, 5, 23, 59, tzinfo=shanghai)
    )
    ProgressReport.objects.create(
        item=late, as_of=D(2023, 6, 30), value=Decimal("1"), submitted_at=dt.datetime(2023, 7, 6, 0, 1, tzinfo=shanghai)
    )
    by_unit = {r.unit: r for r in ranking(plan, JULY_END, JULY)}
    assert (by_unit["早单位"].reports_due, by_unit["早单位"].reports_on_time) == (5, 1)
    assert (by_unit["晚单位"].reports_due, by_unit["晚单位"].reports_on_time) == (5, 0)
