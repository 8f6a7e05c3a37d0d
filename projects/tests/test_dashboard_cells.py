"""The dashboard's cells: figures counted once per plan (by cell and month), kept, and summed per selection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.dashboard import cells
from projects.dashboard.data import build
from projects.dashboard.filters import Filters, projects
from projects.dashboard.investment import completed_investment, investment_cells, investment_section
from projects.dashboard.ranking import ranking
from projects.rollups import compute_all
from projects.tests.factories import ProjectFactory
from targets.choices import Rollup
from targets.engine.supervision import run_finished
from targets.models import Plan

from .dashboard_data import JULY_END, build_register, report

D = dt.date
JULY = Filters(month=D(2023, 7, 1))
MAY = Filters(month=D(2023, 5, 1))
NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def register(plan, departments):
    return build_register(plan, departments)


@pytest.fixture
def kept(settings):
    settings.DUBAN_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def selections(register) -> list[dict]:
    return [
        {},
        {"unit_id": register.alpha.pk},
        {"unit_id": register.beta.pk},
        {"leader_id": register.zhao.pk},
        {"category": "industrial"},
        {"category": "services", "level": "is_major"},
        {"level": "is_district_key"},
        {"level": "is_provincial_key"},  # no project: an empty selection
    ]


@pytest.mark.parametrize("month", [3, 5, 7, 12])
def test_the_cells_give_each_selection_the_completed_investment_its_reports_give(register, month):
    # Summed from the cells (one counting for every month and selection) = read from the reports.
    counted = investment_cells(register.plan)
    for narrowing in selections(register):
        chosen = Filters(month=D(2023, month, 1), **narrowing)
        section = investment_section(register.plan, chosen.as_of, chosen, counted=counted)
        from_cells = completed_investment(counted, chosen, section.as_of_index)
        direct = compute_all(register.plan, chosen.as_of, projects(register.plan, chosen))
        assert from_cells["completed"] == direct[Rollup.COMPLETED_INVESTMENT], narrowing
        assert section.register.actual_now == direct[Rollup.COMPLETED_INVESTMENT], narrowing
        key_rate = direct[Rollup.INVESTMENT_COMPLETION_RATE]
        assert compute_all(register.plan, chosen.as_of, projects(register.plan, chosen), from_cells) == direct, narrowing
        assert (
            key_rate
            == compute_all(register.plan, chosen.as_of, projects(register.plan, chosen), from_cells)[
                Rollup.INVESTMENT_COMPLETION_RATE
            ]
        )


def test_one_counting_of_the_cells_serves_every_month(register, kept):
    with time_machine.travel(NOW, tick=False):
        july = {r.unit: (r.reports_due, r.reports_on_time) for r in ranking(register.plan, JULY_END, JULY)}
        with CaptureQueriesContext(connection) as captured:
            may = {r.unit: (r.reports_due, r.reports_on_time) for r in ranking(register.plan, MAY.as_of, MAY)}
    assert not [q for q in captured.captured_queries if "CASE WHEN" in q["sql"]]  # the reports were not read again
    # By 07-31: February to June are due; P1's March report was on time, its May one late, P2's June one on time.
    assert july == {register.alpha.name: (5, 1), register.beta.name: (5, 1)}
    # By 05-31: February to April are due (April's by 05-05); only P1's March report is in and on time.
    assert may == {register.alpha.name: (3, 1), register.beta.name: (3, 0)}


def test_the_cells_are_counted_after_a_run_and_not_by_the_first_page(register, kept):
    with time_machine.travel(NOW, tick=False):
        run_finished.send(sender=Plan, plan=register.plan)  # the run's signal: the task runs inline here
        with CaptureQueriesContext(connection) as captured:
            data = build(register.plan, JULY)
    assert data.investment.register.actual_now == 3800
    counted = [q["sql"] for q in captured.captured_queries if "LAG(" in q["sql"] or "CASE WHEN" in q["sql"]]
    assert counted == []


def test_kept_cells_are_served_while_renewed_in_the_background(register, kept):
    plan = register.plan
    with time_machine.travel(NOW, tick=False):
        assert investment_section(plan, JULY_END, JULY).register.actual_now == 3800
        extra = ProjectFactory(plan=plan, code="P9", lead_department=register.beta)
        report(extra, D(2023, 7, 31), "200", D(2023, 8, 2))
        assert investment_section(plan, JULY_END, JULY).register.actual_now == 3800  # kept
    with time_machine.travel(NOW + dt.timedelta(seconds=90), tick=False):
        # Older than the cache time: served as kept while renewed (inline here: no broker in the tests).
        assert investment_section(plan, JULY_END, JULY).register.actual_now == 3800
        assert investment_section(plan, JULY_END, JULY).register.actual_now == 4000
        assert investment_section(plan, JULY_END, JULY, fresh=True).register.actual_now == 4000


def test_a_selection_takes_whole_cells(register):
    project_cell = ("project", register.alpha.pk, register.wang.pk, "industrial", False, False, False, True, True)
    goal_cell = ("goal", register.alpha.pk, register.wang.pk, "", False, False, False, False, False)
    assert cells.FLAGS == ("is_provincial_key", "is_provincial_major_industrial", "is_city_key", "is_district_key", "is_major")
    for chosen, project, goal in [
        (Filters(month=JULY.month), True, True),
        (Filters(month=JULY.month, unit_id=register.alpha.pk), True, True),
        (Filters(month=JULY.month, unit_id=register.beta.pk), False, False),
        (Filters(month=JULY.month, category="industrial"), True, False),
        (Filters(month=JULY.month, level="is_district_key"), True, False),
        (Filters(month=JULY.month, level="is_city_key"), False, False),
    ]:
        assert (cells.matches(project_cell, chosen), cells.matches(goal_cell, chosen)) == (project, goal), chosen
    assert Decimal(0) == completed_investment(investment_cells(register.plan), Filters(month=D(2023, 1, 1)), -1)["completed"]


def test_the_run_counts_the_default_selection_too(register, kept):
    with time_machine.travel(NOW, tick=False):  # the plan is over: the default month is December
        run_finished.send(sender=Plan, plan=register.plan)
        with CaptureQueriesContext(connection) as captured:
            data = build(register.plan, Filters(month=D(2023, 12, 1)))
    assert data.battle_map.page.count == 2
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]  # every figure from the cache


def test_counting_the_reports_leaves_the_planner_settings_as_they_were(register):
    from projects.dashboard.ranking import count_report_cells

    count_report_cells(register.plan)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone() == ("on",)
