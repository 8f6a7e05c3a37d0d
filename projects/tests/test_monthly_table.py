"""The monthly scheduling table (月度调度表): figures per project, totals in 亿元, query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.documents.monthly_table import monthly_table, monthly_xlsx, parse_month, schedule_percent
from projects.models import Project
from targets.tests.factories import CheckpointFactory, PersonFactory, ProgressReportFactory
from targets.tests.formula_text import AT_SUM, HYPERLINK, PLUS_ONE, assert_written_as_text
from targets.tests.supervision_data import make_run, make_snapshot

from .factories import ProjectFactory

D = dt.date
HEADERS = [
    "序号", "项目编号", "项目名称", "责任单位", "责任领导", "年度计划投资（万元）", "累计计划投资（万元）", "累计完成投资（万元）",
    "完成率（%）", "序时进度（%）", "差距（百分点）", "状态", "形象进度", "存在问题",
]  # fmt: skip


@pytest.fixture
def register(plan, departments):
    """P-A with a monthly plan, reports and a yellow light; P-B with nothing reported and a red light."""
    leader = PersonFactory(name="王副区长", title="副区长", is_leader=True, department=departments["bureau"])
    a = ProjectFactory(
        plan=plan, code="P-A", title="椒江大桥改建工程", target_value=Decimal("1200"), lead_department=departments["alpha"]
    )
    a.responsible_leader = leader
    a.save()
    b = ProjectFactory(
        plan=plan, code="P-B", title="城西污水厂", target_value=Decimal("2400"), lead_department=departments["beta"]
    )
    CheckpointFactory(item=a, date=D(2023, 2, 28), expected_value=Decimal("150"))
    CheckpointFactory(item=a, date=D(2023, 7, 31), expected_value=Decimal("800"))
    ProgressReportFactory(item=a, as_of=D(2023, 2, 28), value=Decimal("120"), narrative="场地平整", problems="")
    ProgressReportFactory(item=a, as_of=D(2023, 6, 30), value=Decimal("500"), narrative="桩基施工", problems="")
    ProgressReportFactory(item=a, as_of=D(2023, 7, 31), value=Decimal("600"), narrative="主体结构施工", problems="资金缺口")
    ProgressReportFactory(item=a, as_of=D(2023, 8, 31), value=Decimal("900"), narrative="八月", problems="")  # after July
    make_run(plan, D(2023, 7, 20))
    make_snapshot(a, D(2023, 7, 20), "yellow")
    make_snapshot(b, D(2023, 7, 20), "red")
    make_run(plan, D(2023, 8, 10))  # after July: not read for July
    make_snapshot(a, D(2023, 8, 10), "green")
    make_snapshot(b, D(2023, 8, 10), "green")
    return a, b


def test_it_computes_each_projects_july_figures(plan, register):
    table = monthly_table(plan, D(2023, 7, 31))

    a, b = table.rows
    assert table.schedule == Decimal("58.3")  # 7 of 12 months
    assert (a.code, a.unit, a.leader) == ("P-A", "区市场监督管理局", "王副区长（副区长）")
    assert a.annual_plan == Decimal("1200")
    assert a.cumulative_plan == Decimal("800")  # the July checkpoint
    assert a.cumulative_actual == Decimal("600")  # the 31 July report, not August's
    assert a.completion == Decimal("50.0")
    assert a.gap == Decimal("-8.3")
    assert a.status == "黄"  # the run of 20 July, not 10 August
    assert (a.progress, a.problems) == ("主体结构施工", "资金缺口")

    assert b.cumulative_plan == Decimal("1400.00")  # no checkpoint: 序时 of 2,400 (7/12)
    assert b.cumulative_actual is None
    assert b.completion is None
    assert b.gap is None
    assert b.status == "红"
    assert (b.progress, b.problems) == ("", "")

    assert table.totals.annual_plan == Decimal("3600")
    assert table.totals.cumulative_plan == Decimal("2200")
    assert table.totals.cumulative_actual == Decimal("600")
    assert table.totals.completion == Decimal("16.7")  # 600 ÷ 3,600; P-B counts 0
    assert table.totals.gap == Decimal("-41.6")


def test_it_reads_the_first_report_of_the_year_as_january_and_february(plan, register):
    table = monthly_table(plan, D(2023, 2, 28))

    a, b = table.rows
    assert "2023年1—2月重大项目月度调度表" in table.title
    assert table.schedule == Decimal("16.7")
    assert (a.cumulative_plan, a.cumulative_actual, a.completion, a.gap) == (
        Decimal("150"),
        Decimal("120"),
        Decimal("10.0"),
        Decimal("-6.7"),
    )
    assert a.progress == "场地平整"
    assert b.cumulative_plan == Decimal("400.00")
    assert a.status == b.status == "灰"  # no supervision run yet


def test_it_writes_the_table_with_the_totals_row_in_100m_yuan(plan, register):
    book = openpyxl.load_workbook(io.BytesIO(monthly_xlsx(monthly_table(plan, D(2023, 7, 31)))))

    sheet = book["月度调度表"]
    assert sheet["A1"].value == "2023年1—7月重大项目月度调度表（截至2023年7月31日）"
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet.freeze_panes == "A3"
    row = dict(zip(HEADERS, (c.value for c in sheet[3]), strict=True))
    assert row["项目编号"] == "P-A"
    assert row["累计完成投资（万元）"] == 600
    assert row["完成率（%）"] == 50
    assert row["状态"] == "黄"
    assert sheet.cell(3, HEADERS.index("年度计划投资（万元）") + 1).number_format == "#,##0.00"
    assert sheet.cell(3, HEADERS.index("完成率（%）") + 1).number_format == "0.0"
    assert sheet.max_row == 5
    totals = dict(zip(HEADERS, (c.value for c in sheet[5]), strict=True))
    assert totals["序号"] == "合计（亿元）"
    assert totals["年度计划投资（万元）"] == pytest.approx(0.36)
    assert totals["累计计划投资（万元）"] == pytest.approx(0.22)
    assert totals["累计完成投资（万元）"] == pytest.approx(0.06)
    assert totals["完成率（%）"] == pytest.approx(16.7)
    assert totals["差距（百分点）"] == pytest.approx(-41.6)


def test_it_lists_only_the_projects_of_the_queryset_in_its_order(plan, register, departments):
    only_beta = Project.objects.filter(lead_department=departments["beta"])

    assert [r.code for r in monthly_table(plan, D(2023, 7, 31), only_beta).rows] == ["P-B"]
    assert [r.code for r in monthly_table(plan, D(2023, 7, 31), Project.objects.order_by("-code")).rows] == ["P-B", "P-A"]


def test_it_reads_the_month_as_the_bureau_writes_it(plan):
    assert parse_month("2023-07") == D(2023, 7, 31)
    assert parse_month("2024-2") == D(2024, 2, 29)
    for bad in ("", "2023", "07-2023", "2023-13", "abcd-01"):
        with pytest.raises(ValueError, match=bad or "^$"):
            parse_month(bad)
    assert schedule_percent(plan, D(2023, 3, 31)) == Decimal("25.0")
    assert schedule_percent(plan, D(2023, 12, 31)) == Decimal("100.0")


def add_projects(plan, count: int) -> None:
    for n in range(count):
        project = ProjectFactory(plan=plan)
        CheckpointFactory(item=project, date=D(2023, 7, 31), expected_value=Decimal("100"))
        ProgressReportFactory(item=project, as_of=D(2023, 7, 31), value=Decimal(n))
        make_snapshot(project, D(2023, 7, 20), "green")


def test_its_query_count_does_not_grow_with_the_projects(plan, django_assert_max_num_queries):
    make_run(plan, D(2023, 7, 20))
    add_projects(plan, 5)
    with CaptureQueriesContext(connection) as five:
        assert len(monthly_table(plan, D(2023, 7, 31)).rows) == 5
    add_projects(plan, 45)

    with django_assert_max_num_queries(len(five)):
        assert len(monthly_table(plan, D(2023, 7, 31)).rows) == 50


def test_it_writes_a_units_text_that_looks_like_a_formula_as_text(plan, departments):
    project = ProjectFactory(
        plan=plan, code="P-X", title=PLUS_ONE, target_value=Decimal("100"), lead_department=departments["alpha"]
    )
    ProgressReportFactory(item=project, as_of=D(2023, 7, 31), value=Decimal("10"), narrative=HYPERLINK, problems=AT_SUM)

    content = monthly_xlsx(monthly_table(plan, D(2023, 7, 31)))

    assert_written_as_text(content)
    row = dict(zip(HEADERS, (c.value for c in openpyxl.load_workbook(io.BytesIO(content))["月度调度表"][3]), strict=True))
    assert (row["项目名称"], row["形象进度"], row["存在问题"]) == (PLUS_ONE, HYPERLINK, AT_SUM)
