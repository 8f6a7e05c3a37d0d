"""The dashboard page and its .xlsx: access, sections, filters, messages, the workbook, query counts, print CSS."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.dashboard import filters as dashboard_filters
from projects.dashboard.data import build
from projects.dashboard.filters import Filters
from projects.tests.factories import ProjectFactory
from targets.models import Checkpoint, Milestone
from targets.tests.factories import PersonFactory, TargetFactory
from targets.tests.formula_text import AT_SUM, HYPERLINK, PLUS_ONE, assert_written_as_text
from targets.tests.supervision_data import make_finding, make_run, make_snapshot

from .dashboard_data import JULY_END, build_register, report

D = dt.date
PAGE = reverse("admin:dashboard")
XLSX = reverse("admin:dashboard_xlsx")
SECTIONS = ("dash-headlines", "dash-battle-map", "dash-investment", "dash-responsibility", "dash-ranking")


def body(response) -> bytes:
    """The bytes of a streamed download."""
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def after_the_plan():
    # The plan (2023) is over: the default month is December.
    with time_machine.travel(dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def register(plan, departments):
    return build_register(plan, departments)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_it_shows_every_section_to_bureau_staff(staff_client, register):
    response = staff_client.get(PAGE, {"month": "2023-07"})
    assert response.status_code == 200
    html = response.content.decode()
    for section in SECTIONS:
        assert f'id="{section}"' in html
    for text in ("P1", "一号项目", "2023-G14", "⚑", "●", "○"):  # items, and the battle map's marks and legend
        assert text in html
    assert "<svg" in html  # the investment chart, drawn on the server
    assert reverse("admin:projects_project_change", args=[register.p1.pk]) in html
    assert f"{reverse('admin:targets_finding_changelist')}?item__id__exact={register.p1.pk}" in html
    assert response.context["filters"] == Filters(month=D(2023, 7, 1))


def test_it_defaults_to_the_last_complete_month(staff_client, register):
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    assert response.context["filters"].month == D(2023, 12, 1)


def test_it_lets_superusers_in(admin_client, register):
    assert admin_client.get(PAGE).status_code == 200


def test_it_refuses_unit_users(client, unit_user, register):
    client.force_login(unit_user)
    assert client.get(PAGE).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_it_sends_anonymous_visitors_to_the_login(client, register):
    for url in (PAGE, XLSX):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_it_links_the_dashboard_from_the_admin_home_for_staff_only(client, staff_user, unit_user, register):
    client.force_login(staff_user)
    assert PAGE in client.get(reverse("admin:index")).content.decode()
    client.force_login(unit_user)
    assert PAGE not in client.get(reverse("admin:index")).content.decode()


def test_it_renders_with_no_plan(staff_client, db):
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    assert response.context["plan"] is None


@pytest.mark.parametrize(
    ("query", "fragment"),
    [({"month": "2023-13"}, "YYYY-MM"), ({"month": "2031-02"}, "2031-02"), ({"unit": "x1"}, "x1"), ({"level": "top"}, "top")],
)
def test_it_explains_invalid_filter_values_instead_of_failing(staff_client, register, query, fragment):
    response = staff_client.get(PAGE, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errornote dash-errors"' in html
    errors = response.context["errors"]
    assert len(errors) == 1
    assert fragment in errors[0]
    # The workbook is not made from another selection than the one asked for.
    response = staff_client.get(XLSX, query)
    assert response.status_code == 400
    assert fragment in response.content.decode()


def test_it_narrows_the_page_with_the_filters(staff_client, register):
    response = staff_client.get(PAGE, {"month": "2023-07", "unit": register.beta.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "二号项目" in html
    assert "一号项目" not in html
    assert response.context["selected_unit"] == register.beta.name


def test_it_links_the_stylesheet_with_the_print_rules(staff_client, register):
    html = staff_client.get(PAGE).content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*duban/dashboard\.css"', html)
    with open(finders.find("duban/dashboard.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    assert "@media print" in css
    assert re.search(r"@page\s*\{\s*size:\s*A4 landscape", css)
    print_rules = css[css.index("@media print") :]
    for rule in ("#header", ".dash-filters", "display: none !important"):
        assert rule in print_rules
    assert "break-before: page" in print_rules
    # No CDN: every stylesheet and script on the page is served from here.
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)


# --- the workbook --------------------------------------------------------------------------------


def sheet_rows(sheet) -> list[tuple]:
    """Body rows (after the title and header rows)."""
    return [row for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_it_downloads_what_the_page_shows_as_xlsx(staff_client, register):
    query = {"month": "2023-07"}
    page = staff_client.get(PAGE, query)
    data = page.context["data"]
    response = staff_client.get(XLSX, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "dashboard-2023-07.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["头条指标", "作战图", "投资进度", "分单位投资进度", "责任分解表", "比学赶超", "说明"]

    headline = sheet_rows(book["头条指标"])
    assert [c.value for c in book["头条指标"][2]][:8] == [
        "编号",
        "指标",
        "目标",
        "实际",
        "单位",
        "完成率（%）",
        "进度要求",
        "状态",
    ]
    assert headline[0][:4] == ("2023-G14", "重大项目240个", "≥ 240 个", 2)
    assert headline[0][7] == "黄"

    battle = sheet_rows(book["作战图"])
    assert [row[0] for row in battle] == [row.code for row in data.battle_map.rows] == ["P1", "P2"]
    assert [c.value for c in book["作战图"][2]][4:16] == [f"{m}月" for m in range(1, 13)]
    assert battle[0][4 + 4] == "⚑主体完工（05-20）"  # May
    assert battle[0][4 + 3] == "●开工（04-10）"  # April
    assert battle[0][-1] == 2

    investment = sheet_rows(book["投资进度"])
    assert len(investment) == 12
    assert investment[6][:3] == ("7月", 6000, 3800)
    assert investment[6][3:6] == (0.6, 0.38, 63.3)  # 亿元 and the rate

    units = sheet_rows(book["分单位投资进度"])
    assert [row[0] for row in units[:-1]] == [series.label for series in data.investment.units]
    assert units[0][1:4] == (8000, 5000, 3000)
    assert units[-1][:2] == ("合计（亿元）", 1)  # 10,000万元 = 1亿元

    responsibility = sheet_rows(book["责任分解表"])
    assert [(row[0], row[3], row[5], row[6]) for row in responsibility] == [
        ("王一（副区长）", "2023-G14", "黄", 0),
        ("王一（副区长）", "P1", "红", 1),
        ("赵二（副区长）", "P2", "绿", 0),
    ]
    assert responsibility[1][7] == "二级：警示"

    ranks = sheet_rows(book["比学赶超"])
    assert [(row[0], row[1]) for row in ranks] == [(r.rank, r.unit) for r in data.ranking]

    notes = dict((row[0], row[1]) for row in sheet_rows(book["说明"]))
    assert notes["所选月份"].startswith("2023-07")
    assert notes["筛选条件"] == "全部"


def test_it_writes_the_filters_into_the_workbook(staff_client, register):
    response = staff_client.get(XLSX, {"month": "2023-07", "unit": register.alpha.pk, "category": "industrial"})
    book = load_workbook(io.BytesIO(body(response)))
    assert [row[0] for row in sheet_rows(book["作战图"])] == ["P1"]
    notes = dict((row[0], row[1]) for row in sheet_rows(book["说明"]))
    assert notes["筛选条件"] == f"责任单位：{register.alpha.name}；项目类别：产业类"
    assert [c.value for c in book["头条指标"][2]][-1] == "筛选范围内"


def test_it_writes_chinese_in_the_english_interface(staff_client, register):
    TargetFactory(
        plan=register.plan,
        code="2023-G19",
        title="年度计划投资超120亿元",
        metric_kind="amount",
        unit="万元",
        show_in_yi=True,
        target_value=Decimal("1200000"),
        is_headline=True,
        headline_order=2,
    )
    staff_client.cookies["django_language"] = "en"
    assert "100M yuan" in staff_client.get(PAGE, {"month": "2023-07"}).content.decode()
    response = staff_client.get(XLSX, {"month": "2023-07"})
    book = load_workbook(io.BytesIO(body(response)))
    assert book["比学赶超"]["B2"].value == "责任单位"
    goal = sheet_rows(book["头条指标"])[1]
    assert goal[:3] == ("2023-G19", "年度计划投资超120亿元", "≥ 120 亿元")
    assert goal[4] == "亿元"


# --- query counts ---------------------------------------------------------------------------------


def grow_register(plan, count: int) -> None:
    """`count` more projects with a monthly plan, milestones, reports, a colour and a finding each."""
    leader = PersonFactory(name=f"领导{count}", department=None, is_leader=True)
    for index in range(count):
        project = ProjectFactory(
            plan=plan, code=f"N{count}-{index:03d}", responsible_leader=leader, lead_department__name=f"单位{index % 4}"
        )
        Checkpoint.objects.create(item=project, date=D(2023, 3, 31), expected_value=Decimal("500"))
        Checkpoint.objects.create(item=project, date=D(2023, 12, 31), expected_value=Decimal("8000"))
        Milestone.objects.create(item=project, title="开工", kind="start", planned_date=D(2023, 4, 1), actual_date=D(2023, 4, 2))
        Milestone.objects.create(item=project, title="竣工", kind="completion", planned_date=D(2023, 6, 1))
        report(project, D(2023, 3, 31), "400", D(2023, 4, 2))
        make_snapshot(project, D(2023, 7, 10), "green" if index % 2 else "red")
        make_finding(project, opened_on=D(2023, 7, 1))


def queries_for_page(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE, {"month": "2023-07", **params})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_it_shows_one_page_of_each_long_list_and_counts_them_all(staff_client, plan, departments, monkeypatch):
    monkeypatch.setattr("projects.dashboard.battle_map.ROWS_PER_PAGE", 10)
    make_run(plan, D(2023, 7, 10))
    grow_register(plan, 25)
    first = staff_client.get(PAGE, {"month": "2023-07"})
    data = first.context["data"]
    assert [row.code for row in data.battle_map.rows] == [f"N25-{n:03d}" for n in range(10)]
    assert (data.battle_map.page.count, data.battle_map.page.pages) == (25, 3)
    assert data.battle_map.overdue == 25  # counted over every project, not the page's
    html = first.content.decode()
    assert "map=2#dash-battle-map" in html  # the next page of the battle map
    assert "light=red" in html
    assert "milestones=overdue" in html
    last = staff_client.get(PAGE, {"month": "2023-07", "map": "3"}).context["data"]
    assert [row.code for row in last.battle_map.rows] == [f"N25-{n:03d}" for n in range(20, 25)]
    beyond = staff_client.get(PAGE, {"month": "2023-07", "map": "99"}).context["data"]
    assert beyond.battle_map.page.number == 3  # clamped to the last page


def test_it_reads_every_page_of_a_section_in_the_same_number_of_queries(staff_client, plan, departments, monkeypatch):
    monkeypatch.setattr("projects.dashboard.battle_map.ROWS_PER_PAGE", 5)
    make_run(plan, D(2023, 7, 10))
    grow_register(plan, 12)
    counts = {queries_for_page(staff_client, map=str(page), groups=str(page)) for page in (1, 2, 3)}
    assert len(counts) == 1


def test_it_keeps_the_figures_and_counts_them_again_on_request(staff_client, plan, departments, settings):
    settings.DUBAN_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    make_run(plan, D(2023, 7, 10))
    grow_register(plan, 2)
    before = staff_client.get(PAGE, {"month": "2023-07"}).context["data"]
    grow_register(plan, 3)
    kept = staff_client.get(PAGE, {"month": "2023-07"}).context["data"]
    assert kept.battle_map.page.count == before.battle_map.page.count == 2  # from the cache
    assert kept.computed_at == before.computed_at
    fresh = staff_client.get(PAGE, {"month": "2023-07", "fresh": "1"})
    assert fresh.context["data"].battle_map.page.count == 5
    assert "fresh=1" in fresh.content.decode()  # the link that counts again
    cached = queries_for_page(staff_client)
    settings.DUBAN_DASHBOARD_CACHE_SECONDS = 0
    assert cached < queries_for_page(staff_client)


def test_it_reads_the_page_in_a_number_of_queries_independent_of_the_register_size(staff_client, plan, departments):
    make_run(plan, D(2023, 7, 10))
    grow_register(plan, 3)
    small = queries_for_page(staff_client)
    grow_register(plan, 30)
    assert queries_for_page(staff_client) == small
    assert small <= 40


def test_it_builds_the_sections_in_a_fixed_number_of_queries(plan, departments, django_assert_max_num_queries):
    make_run(plan, D(2023, 7, 10))
    grow_register(plan, 20)
    offered = dashboard_filters.options(plan)
    # 26: the cells' count of reports on time sets and resets a planner setting around its query (two
    # statements, ranking.count_report_cells); with the cache on, the cells are counted by the run's task.
    with django_assert_max_num_queries(26):
        data = build(plan, Filters(month=D(2023, 7, 1)))
    assert len(data.battle_map.rows) == 20
    assert len(offered.units) == 4
    assert data.investment.register.actual_now == 20 * 400
    assert data.filters.as_of == JULY_END


def test_it_writes_user_text_that_looks_like_a_formula_as_text(staff_client, register):
    project = ProjectFactory(plan=register.plan, code="P-X", title=HYPERLINK, lead_department__name=AT_SUM)
    make_finding(project, opened_on=D(2023, 7, 1))
    TargetFactory(plan=register.plan, code="2023-G20", title=PLUS_ONE, is_headline=True, headline_order=2)

    content = body(staff_client.get(XLSX, {"month": "2023-07"}))

    assert_written_as_text(content)
    book = load_workbook(io.BytesIO(content))
    assert HYPERLINK in [row[1] for row in sheet_rows(book["作战图"])]
    assert AT_SUM in [row[1] for row in sheet_rows(book["比学赶超"])]
    assert PLUS_ONE in [row[1] for row in sheet_rows(book["头条指标"])]


def test_it_explains_the_report_rate_on_each_items_own_cadence(staff_client, register):
    # The ranking counts reports due on each item's cadence (monthly, quarterly, with a publication
    # lag), not only monthly ones: the note under it says so (issue 13).
    html = staff_client.get(PAGE, {"month": "2023-07"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按各督办对象自身的报送频次" in html
    assert "应报的月度进度" not in html
