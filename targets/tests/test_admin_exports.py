"""Excel exports from the goal and finding lists, and the shared table writer (targets.documents.spreadsheets)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.documents import spreadsheets
from targets.documents.spreadsheets import Column, Table

from .factories import AmountGoalFactory, DepartmentFactory, PersonFactory, ProgressReportFactory, TargetFactory
from .supervision_data import make_finding, make_run, make_snapshot
from .test_exports import PROBLEM_HEADERS, RESPONSIBILITY_HEADERS

D = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GOALS = reverse("admin:targets_target_export")
GOAL_LIST = reverse("admin:targets_target_changelist")
FINDINGS = reverse("admin:targets_finding_export")
FINDING_LIST = reverse("admin:targets_finding_changelist")


@pytest.fixture(autouse=True)
def _today_is_10_august_2023(time_machine):
    time_machine.move_to(dt.datetime(2023, 8, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)


def book_of(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def column(sheet, header: str, header_row: int = 2) -> list:
    headers = [c.value for c in sheet[header_row]]
    index = headers.index(header) + 1
    return [sheet.cell(row, index).value for row in range(header_row + 1, sheet.max_row + 1)]


# --- the writer --------------------------------------------------------------------------------------


def test_the_writer_lays_out_title_headers_rows_and_the_totals_in_100m_yuan():
    columns = [
        Column("序号", 6, "int"),
        Column("名称", 20, "wrap"),
        Column("计划（万元）", 14, "wan", summed=True),
        Column("完成率（%）", 10, "percent"),
        Column("日期", 12, "date"),
    ]
    rows = [
        [1, "甲", Decimal("12345.6"), Decimal("50.0"), D(2023, 7, 31)],
        [2, "乙", None, None, None],
        [3, "丙", 7654, None, None],
    ]

    content = spreadsheets.table_xlsx(
        Table("2023年测试表（截至2023年7月31日）", "测试", columns, rows, {"完成率（%）": Decimal("40.1")})
    )

    sheet = openpyxl.load_workbook(io.BytesIO(content))["测试"]
    assert sheet["A1"].value == "2023年测试表（截至2023年7月31日）"
    assert "A1:E1" in sheet.merged_cells
    assert [c.value for c in sheet[2]] == ["序号", "名称", "计划（万元）", "完成率（%）", "日期"]
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.column_dimensions["B"].width == 20
    assert sheet["C3"].number_format == "#,##0.00"
    assert sheet["D3"].number_format == "0.0"
    assert sheet["E3"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].alignment.wrap_text
    # 合计 spans the columns before the first total; the sum is (12,345.6 + 7,654) ÷ 10,000 = 2.00亿元.
    assert [c.value for c in sheet[6]] == ["合计（亿元）", None, 2.0, 40.1, None]
    assert "A6:B6" in sheet.merged_cells
    assert sheet["C6"].number_format == "#,##0.00"


def test_the_writer_leaves_out_the_totals_row_when_nothing_is_summed():
    content = spreadsheets.table_xlsx(Table("标题", "表", [Column("名称")], [["甲"]]))

    sheet = openpyxl.load_workbook(io.BytesIO(content))["表"]
    assert sheet.max_row == 3


def test_it_converts_10k_yuan_to_100m_yuan_with_two_decimals():
    assert spreadsheets.yi(Decimal("123456")) == Decimal("12.35")
    assert spreadsheets.yi(None) is None
    assert spreadsheets.one_decimal(Decimal("58.333")) == Decimal("58.3")


# --- goals -------------------------------------------------------------------------------------------


@pytest.fixture
def goals(plan, departments):
    leader = PersonFactory(name="王副区长", title="副区长", is_leader=True, department=departments["bureau"])
    investment = TargetFactory(
        plan=plan,
        code="G01",
        title="固定资产投资600亿元",
        metric_kind="amount",
        unit="亿元",
        show_in_yi=True,
        target_value=Decimal("6000000"),
        lead_department=departments["alpha"],
        responsible_leader=leader,
    )
    piles = TargetFactory(
        plan=plan, code="G49", title="新建充电桩200个", target_value=Decimal("200"), lead_department=departments["beta"]
    )
    projects = TargetFactory(
        plan=plan,
        code="G50",
        title="招引项目投资",
        metric_kind="amount",
        unit="",
        target_value=Decimal("500000"),
        lead_department=departments["beta"],
    )
    ProgressReportFactory(item=investment, as_of=D(2023, 7, 31), value=Decimal("3300000"))
    ProgressReportFactory(item=piles, as_of=D(2023, 7, 31), value=Decimal("120"))
    make_run(plan, D(2023, 7, 31))
    make_snapshot(investment, D(2023, 7, 31), "green")
    make_snapshot(piles, D(2023, 7, 31), "yellow")
    return investment, piles, projects


def test_it_exports_the_goal_list_in_chinese_with_the_amount_goals_totals(client, staff_user, goals):
    client.force_login(staff_user)

    response = client.get(GOALS, **EN)

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("目标任务台账-2023-08-10.xlsx")
    sheet = book_of(response)["目标任务台账"]
    assert sheet["A1"].value == "2023年目标任务台账（截至2023年8月10日）"
    assert [c.value for c in sheet[2]][:6] == ["序号", "目标编号", "目标名称", "承诺用语", "目标（计划表述）", "指标类型"]
    assert column(sheet, "目标编号")[:3] == ["G01", "G49", "G50"]
    assert column(sheet, "目标（计划表述）")[:2] == ["≥ 600 亿元", "≥ 200 个"]
    assert column(sheet, "指标类型")[:2] == ["金额", "数量"]
    assert column(sheet, "计量单位")[:3] == ["万元", "个", "万元"]
    assert column(sheet, "完成率（%）")[:2] == [55, 60]
    assert column(sheet, "状态") == ["绿", "黄", None, None]
    # Only the amount goals are added up: (6,000,000 + 500,000) and 3,300,000 万元 in 亿元.
    assert sheet.cell(sheet.max_row, 1).value == "合计（亿元，仅金额类目标）"
    assert column(sheet, "目标值")[-1] == 650
    assert column(sheet, "实际完成")[-1] == 330


def test_it_exports_the_goals_a_filter_and_a_search_leave(client, staff_user, goals, departments):
    client.force_login(staff_user)

    by_unit = book_of(client.get(GOALS, {"lead_department__id__exact": departments["beta"].pk}))
    assert column(by_unit.active, "目标编号")[:-1] == ["G49", "G50"]

    searched = book_of(client.get(GOALS, {"q": "充电桩"}))
    assert column(searched.active, "目标编号")[:-1] == ["G49"]

    selected = book_of(client.post(GOAL_LIST, {"action": "export_selected", "_selected_action": [goals[0].pk]}))
    assert column(selected.active, "目标编号")[:-1] == ["G01"]


def test_the_goal_list_offers_the_export_button_with_its_query(client, unit_user, goals, departments):
    client.force_login(unit_user)

    page = client.get(GOAL_LIST, {"mine": "1"}, **EN).content.decode()

    assert f'href="{GOALS}?mine=1"' in page
    assert column(book_of(client.get(GOALS, {"mine": "1"})).active, "目标编号")[:-1] == ["G01"]


def test_the_goal_export_query_count_does_not_grow_with_the_goals(client, staff_user, plan, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            unit = DepartmentFactory()
            TargetFactory(plan=plan, lead_department=unit, responsible_leader=PersonFactory(department=unit))
            TargetFactory(plan=plan, lead_department=unit, actual_source="rollup", rollup="major_projects")

    client.force_login(staff_user)
    add(5)
    with CaptureQueriesContext(connection) as five:
        assert book_of(client.get(GOALS)).active.max_row == 2 + 10 + 1
    add(45)
    with django_assert_max_num_queries(len(five)):
        assert book_of(client.get(GOALS)).active.max_row == 2 + 100 + 1


# --- findings ----------------------------------------------------------------------------------------


@pytest.fixture
def findings(plan, departments):
    bridge = AmountGoalFactory(plan=plan, code="P-001", title="椒江大桥改建工程", lead_department=departments["alpha"])
    plant = AmountGoalFactory(plan=plan, code="P-002", title="城西污水处理厂", lead_department=departments["beta"])
    goal = TargetFactory(plan=plan, code="G16", title="新开工项目35个", lead_department=departments["beta"])
    return make_finding(bridge), make_finding(plant), make_finding(goal, cause="milestone_missed", problems="用地未报批")


def test_it_exports_the_three_lists_of_the_finding_list_as_filtered(client, staff_user, findings, departments):
    _bridge, plant, goal = findings
    client.force_login(staff_user)

    response = client.get(FINDINGS, {"department__id__exact": departments["beta"].pk, "list": "responsibility"}, **EN)

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("三清单-2023-08-10.xlsx")
    book = book_of(response)
    assert book.sheetnames == ["问题清单", "责任清单", "整改清单"]
    assert [c.value for c in book["问题清单"][1]] == PROBLEM_HEADERS
    assert [c.value for c in book["责任清单"][1]] == RESPONSIBILITY_HEADERS
    assert column(book["问题清单"], "问题编号", 1) == [f"2023-{plant.pk:04d}", f"2023-{goal.pk:04d}"]
    assert column(book["责任清单"], "牵头单位", 1) == ["区卫生健康局", "区卫生健康局"]

    searched = book_of(client.get(FINDINGS, {"q": "用地"}))
    assert column(searched["问题清单"], "问题编号", 1) == [f"2023-{goal.pk:04d}"]


def test_the_finding_list_offers_the_export_button_and_keeps_its_own_selected_export(client, unit_user, findings):
    client.force_login(unit_user)

    page = client.get(FINDING_LIST, {"list": "rectification"}, **EN).content.decode()

    assert f'href="{FINDINGS}?list=rectification"' in page
    assert 'value="export_three_lists"' in page
    assert 'value="export_selected"' not in page  # export_three_lists is the finding list's 导出所选
