"""Traffic lights on goal and project pages, the colour filters, the admin home's counts and the chart.

Snapshots and runs are made directly (supervision_data): these tests do not depend on the rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.tests.factories import ProjectFactory
from targets.admin.status import reason_text
from targets.documents import charts
from targets.findings import rounds
from targets.tests.factories import CheckpointFactory, DepartmentFactory, PersonFactory, ProgressReportFactory, TargetFactory
from targets.tests.supervision_data import make_finding, make_run, make_snapshot

D = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RUN = D(2023, 6, 30)


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def lit_project(plan, departments):
    """A red project at the latest run (30 June), green at an earlier one, with a monthly plan and reports."""
    project = ProjectFactory(plan=plan, code="P-RED", title="落后的项目", lead_department=departments["alpha"])
    for date, value in ((D(2023, 3, 31), "1000"), (D(2023, 6, 30), "4000"), (D(2023, 12, 31), "8000")):
        CheckpointFactory(item=project, date=date, expected_value=Decimal(value))
    ProgressReportFactory(item=project, as_of=D(2023, 3, 31), value=Decimal("900"))
    ProgressReportFactory(item=project, as_of=D(2023, 6, 30), value=Decimal("1500"))
    make_run(plan, D(2023, 5, 31))
    make_snapshot(project, D(2023, 5, 31), "green")
    make_run(plan, RUN)
    make_snapshot(
        project,
        RUN,
        "red",
        value_status="red",
        reporting_status="green",
        expected=Decimal("4000"),
        actual=Decimal("1500"),
        ratio=Decimal("0.38"),
        gap=Decimal("2500"),
        forecast=Decimal("3000"),
        judged_on=RUN,
        reasons=[
            {
                "code": "well_behind_schedule",
                "expected": "4000.00",
                "actual": "1500.00",
                "ratio": "0.38",
                "judged_on": "2023-06-30",
            },
            {"code": "milestone_overdue", "milestone": 1, "title": "主体结顶", "planned": "2023-05-31", "days": 30},
            {"code": "some_new_code"},
        ],
    )
    return project


@pytest.fixture
def goals(plan, departments):
    """One goal per colour at the latest run, and one not evaluated."""
    made = {}
    for status in ("green", "yellow", "red", "blue", "grey"):
        goal = TargetFactory(plan=plan, code=f"G-{status}", title=f"{status}目标", lead_department=departments["beta"])
        make_snapshot(goal, RUN, status)
        made[status] = goal
    made["none"] = TargetFactory(plan=plan, code="G-none", title="未评价", lead_department=departments["beta"])
    return made


# --- The status panel ---------------------------------------------------------------------------------


def test_it_shows_the_latest_snapshot_on_a_project_page(client, staff_user, lit_project):
    make_finding(lit_project, description="6月末应完成4000万元")
    client.force_login(staff_user)

    page = client.get(change_url(lit_project), **EN)

    assert page.status_code == 200
    text = page.content.decode()
    assert "duban-light-red" in text
    assert "2023-06-30" in text
    assert "40,000,000 yuan" in text  # expected: 4,000 万元, in yuan in English
    assert "15,000,000 yuan" in text  # actual
    assert "25,000,000 yuan" in text  # gap
    assert "30,000,000 yuan" in text  # forecast
    assert "38%" in text  # ratio
    assert "Well behind schedule: 15,000,000 yuan against 40,000,000 yuan expected by 2023-06-30 (38%)." in text
    assert "Milestone “主体结顶” was due on 2023-05-31: 30 days overdue." in text
    assert "Reason: some_new_code" in text
    assert reverse("admin:targets_finding_change", args=[lit_project.findings.get().pk]) in text
    assert "<svg" in text
    assert "duban-chart-actual" in text
    assert reverse("admin:targets_statusoverride_add") in text


def test_it_shows_the_panel_to_a_unit_without_the_override_link(client, unit_user, lit_project):
    client.force_login(unit_user)

    text = client.get(change_url(lit_project), **EN).content.decode()

    assert "duban-light-red" in text
    assert reverse("admin:targets_statusoverride_add") not in text


def test_it_shows_a_goals_figures_in_its_own_unit(client, staff_user, plan):
    goal = TargetFactory(plan=plan, code="G49", title="充电桩200个", unit="个", target_value=Decimal("200"))
    make_run(plan, RUN)
    make_snapshot(goal, RUN, "yellow", expected=Decimal("100"), actual=Decimal("80"), ratio=Decimal("0.80"), gap=Decimal("20"))
    client.force_login(staff_user)

    text = client.get(change_url(goal), **EN).content.decode()

    assert "duban-light-yellow" in text
    assert "100 个" in text
    assert "80 个" in text
    assert "80%" in text


def test_it_ignores_unfinished_runs_and_says_when_nothing_was_run(client, staff_user, plan):
    goal = TargetFactory(plan=plan)
    client.force_login(staff_user)
    assert "No supervision run yet." in client.get(change_url(goal), **EN).content.decode()

    make_run(plan, RUN, finished=False)
    make_snapshot(goal, RUN, "red")
    text = client.get(change_url(goal), **EN).content.decode()
    assert "No supervision run yet." in text
    assert "Supervision run of" not in text


# --- Colour column and filters --------------------------------------------------------------------------


def test_it_shows_the_colour_column_on_both_lists(client, staff_user, lit_project, goals):
    client.force_login(staff_user)

    projects = client.get(changelist(lit_project)).content.decode()
    targets = client.get(changelist(goals["red"])).content.decode()

    assert "duban-light-red" in projects
    assert "duban-light-green" not in projects  # the earlier run's colour is not shown
    for status in ("green", "yellow", "red", "blue", "grey"):
        assert f"duban-light-{status}" in targets


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("light=red", {"red"}),
        ("light=green", {"green"}),
        ("light=blue", {"blue"}),
        ("light=grey", {"grey"}),
        ("light=none", {"none"}),
        ("behind=yes", {"yellow", "red"}),
        ("behind=no", {"green", "blue", "grey", "none"}),
    ],
)
def test_it_filters_goals_by_colour(client, staff_user, lit_project, goals, query, expected):
    client.force_login(staff_user)

    response = client.get(f"{changelist(goals['red'])}?{query}")

    assert {obj.pk for obj in response.context["cl"].result_list} == {goals[status].pk for status in expected}


def test_it_filters_projects_by_colour(client, staff_user, lit_project, plan):
    green = ProjectFactory(plan=plan, code="P-GREEN")
    make_snapshot(green, RUN, "green")
    client.force_login(staff_user)

    def listed(query: str) -> set[str]:
        return {p.code for p in client.get(f"{changelist(lit_project)}?{query}").context["cl"].result_list}

    assert listed("light=red") == {"P-RED"}
    assert listed("behind=yes") == {"P-RED"}
    assert listed("behind=no") == {"P-GREEN"}


def test_sorting_by_the_colour_column_puts_the_worst_first(client, staff_user, lit_project, goals):
    client.force_login(staff_user)
    column = list(client.get(changelist(goals["red"])).context["cl"].list_display).index("status_badge")

    listed = client.get(f"{changelist(goals['red'])}?o={column}").context["cl"].result_list

    assert [goal.code for goal in listed] == ["G-red", "G-yellow", "G-green", "G-blue", "G-grey", "G-none"]


def add_items(plan, count: int) -> None:
    for index in range(count):
        unit = DepartmentFactory()
        leader = PersonFactory(department=unit, is_leader=True)
        goal = TargetFactory(plan=plan, lead_department=unit, responsible_leader=leader)
        project = ProjectFactory(plan=plan, lead_department=unit, responsible_leader=leader)
        for item in (goal, project):
            make_snapshot(item, RUN, ("red", "yellow", "green")[index % 3])


def queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["staff_user", "unit_user"])
def test_the_colour_lists_cost_the_same_queries_for_5_or_50_rows(client, plan, request, persona):
    client.force_login(request.getfixturevalue(persona))
    make_run(plan, RUN)
    paths = [
        f"{reverse(f'admin:{name}_changelist')}{query}"
        for name in ("targets_target", "projects_project")
        for query in ("", "?light=red", "?behind=yes", "?behind=no")
    ]

    add_items(plan, 5)
    few = {path: queries(client, path) for path in paths}
    add_items(plan, 45)
    many = {path: queries(client, path) for path in paths}

    assert many == few


# --- The admin home ------------------------------------------------------------------------------------------


def test_the_home_page_counts_colours_findings_and_notices(client, staff_user, lit_project, goals, departments, plan):
    make_finding(lit_project, level=3)
    make_finding(goals["red"], level=1)
    make_finding(goals["yellow"], cause="manual", level=1, state="closed")
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    rounds.dispatch(round_, departments["alpha"])
    rounds.dispatch(round_, departments["beta"])
    client.force_login(staff_user)

    response = client.get(reverse("admin:index"), **EN)

    assert response.status_code == 200
    lights = {light.status: (light.goals, light.projects) for light in response.context["duban_lights"]}
    assert lights == {"green": (1, 0), "yellow": (1, 0), "red": (1, 1), "blue": (1, 0), "grey": (1, 0)}
    assert response.context["duban_run_date"] == RUN
    assert [(level, count) for level, _label, count in response.context["duban_findings_by_level"]] == [(1, 1), (2, 0), (3, 1)]
    assert response.context["duban_open_findings"] == 2
    assert response.context["duban_dispatches"] == 2
    text = response.content.decode()
    assert f"?plan__id__exact={plan.pk}&amp;light=red" in text
    assert 'class="duban-card-value duban-dispatches">2<' in text


def test_the_home_page_renders_before_any_run(client, unit_user, plan):
    client.force_login(unit_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert all(light.total == 0 for light in response.context["duban_lights"])


# --- Reasons and the chart -------------------------------------------------------------------------------------


def test_reasons_render_with_their_parameters_and_a_fallback(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        assert reason_text({"code": "report_missing", "periods": ["2023-05-01"]}) == "The progress report for 2023-05 is missing."
        assert reason_text({"code": "reports_missing", "periods": ["2023-04-01", "2023-05-01"], "count": 2}) == (
            "2 progress reports are missing: 2023-04, 2023-05."
        )
        assert reason_text({"code": "no_data", "due": "2023-07-05"}) == "No figure reported although it was due on 2023-07-05."
        assert reason_text({"code": "override", "status": "green", "text": "已核实"}) == "Set by staff: 已核实"
        assert reason_text({"code": "behind_schedule"}).startswith("Behind schedule: —")
        assert reason_text({"code": "unheard_of"}) == "Reason: unheard_of"


def test_the_chart_draws_the_monthly_plan_and_the_reports(plan):
    months = charts.month_ends(D(2023, 1, 1), D(2023, 12, 31))
    planned = charts.plan_series(months, [(D(2023, 6, 30), Decimal("4000")), (D(2023, 12, 31), Decimal("8000"))], None, False)
    actual = charts.actual_series(months, [(D(2023, 3, 31), Decimal("900")), (D(2023, 6, 30), Decimal("1500"))])

    assert planned[:5] == [None] * 5
    assert planned[5] == planned[10] == Decimal("4000")
    assert planned[11] == Decimal("8000")
    assert actual[:2] == [None, None]
    assert actual[2:6] == [Decimal("900")] * 3 + [Decimal("1500")]
    assert actual[6:] == [None] * 6  # nothing drawn after the latest report
    svg = charts.svg([str(m.month) for m in months], planned, actual, title="<P-1>")
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "&lt;P-1&gt;" in svg
    assert svg.count("<circle") == 4


def test_the_chart_falls_back_to_a_straight_line_to_the_target(plan):
    goal = TargetFactory(plan=plan, target_value=Decimal("120"), schedule_mode="linear")

    svg = charts.item_chart(goal)

    assert "duban-chart-plan" in svg
    assert "duban-chart-actual" not in svg
    assert charts.item_chart(TargetFactory(plan=plan, target_value=None, schedule_mode="manual")) is None


def test_it_previews_the_colour_from_the_figures_entered_so_far(client, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, code="P-LIVE", lead_department=departments["alpha"], target_value=Decimal("12000"))
    for date, value in ((D(2023, 3, 31), "3000"), (D(2023, 6, 30), "6000"), (D(2023, 12, 31), "12000")):
        CheckpointFactory(item=project, date=date, expected_value=Decimal(value))
    client.force_login(unit_user)

    def preview() -> str:
        text = client.get(change_url(project), **EN).content.decode()
        head = text.split('class="duban-status-preview"', 1)[1]
        return head.split("</p>", 1)[0]

    # Reported every month (no reporting light); the latest figure, June's, decides the value light.
    for month, value in ((2, "200"), (3, "400"), (4, "600"), (5, "800")):
        ProgressReportFactory(item=project, as_of=D(2023, month + 1, 1) - dt.timedelta(days=1), value=Decimal(value))
    with time_machine.travel(dt.datetime(2023, 7, 10, 9, tzinfo=dt.UTC), tick=False):
        report = ProgressReportFactory(item=project, as_of=D(2023, 6, 30), value=Decimal("1000"))
        behind = preview()
        report.value = Decimal("6500")
        report.save()
        caught_up = preview()

    assert "2023-07-10" in behind
    assert 'data-status="red"' in behind
    assert "duban-light-red" in behind
    assert 'data-status="green"' in caught_up
    assert "65,000,000 yuan" in caught_up  # 6,500 万元
