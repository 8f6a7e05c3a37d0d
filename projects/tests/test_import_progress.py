"""The monthly progress import: validated like the admin and the API, scoped to the unit's items,
new / changed / unchanged, all rows or none, audited as the importing user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.imports import progress, template
from targets.models import ProgressReport
from targets.tests.factories import ProgressReportFactory, TargetFactory

from .factories import ProjectFactory
from .xlsx import workbook as make_workbook

D = dt.date
TODAY = D(2023, 7, 10)
REASON = "Excel导入：进度.xlsx"
HEADERS = ["项目编号", "项目名称", "月份", "累计完成投资（万元）", "形象进度", "存在问题"]


def sheet(*rows, headers=HEADERS, title="2023年6月重大项目进度表") -> bytes:
    return make_workbook([headers, *rows], sheet="月度进度", title=title)


def analyse(data, plan, **kwargs):
    return progress.analyse(data, plan, today=TODAY, **kwargs)


@pytest.fixture
def projects(plan, departments):
    return {
        "P01": ProjectFactory(plan=plan, code="P01", title="椒江大桥", lead_department=departments["alpha"]),
        "P02": ProjectFactory(plan=plan, code="P02", title="人民医院", lead_department=departments["beta"]),
    }


def test_it_files_new_reports_at_month_ends_with_1_2_month_as_february(plan, projects, staff_user):
    data = sheet(["P01", "椒江大桥", "1—2月", "1,200", "桩基施工", "无"], ["P01", "椒江大桥", "2023年3月", 2000, "承台施工", ""])
    analysis = analyse(data, plan)

    assert analysis.errors == []
    assert [(r.row, r.code, r.status) for r in analysis.rows] == [(3, "P01", "new"), (4, "P01", "new")]
    progress.apply(analysis, staff_user, REASON)
    reports = list(ProgressReport.objects.filter(item=projects["P01"]).order_by("as_of"))
    assert [(r.as_of, r.period, r.value, r.narrative, r.reporter) for r in reports] == [
        (D(2023, 2, 28), D(2023, 2, 1), Decimal("1200"), "桩基施工", staff_user),
        (D(2023, 3, 31), D(2023, 3, 1), Decimal("2000"), "承台施工", staff_user),
    ]
    history = ProgressReport.history.filter(item_id=projects["P01"].pk)
    assert {(h.history_user, h.history_change_reason) for h in history} == {(staff_user, REASON)}


def test_a_report_already_filed_for_the_month_is_corrected_and_the_change_shown(plan, projects, staff_user):
    ProgressReportFactory(item=projects["P01"], as_of=D(2023, 3, 31), value=Decimal("2000"), narrative="承台施工", problems="")
    ProgressReportFactory(item=projects["P01"], as_of=D(2023, 4, 30), value=Decimal("2500"), narrative="墩身施工", problems="")
    data = sheet(["P01", "", "3月", 2100, "承台施工", ""], ["P01", "", "4月", 2500, "墩身施工", ""])
    analysis = analyse(data, plan)

    assert [(r.status, r.changes) for r in analysis.rows] == [
        ("changed", [["累计完成投资（万元）", "2,000", "2,100"]]),
        ("unchanged", []),
    ]
    progress.apply(analysis, staff_user, REASON)
    report = ProgressReport.objects.get(item=projects["P01"], as_of=D(2023, 3, 31))
    assert (report.value, report.reporter) == (Decimal("2100"), staff_user)
    assert report.history.latest().history_change_reason == REASON


def test_a_value_below_the_previous_months_needs_a_correction_reason(plan, projects):
    ProgressReportFactory(item=projects["P01"], as_of=D(2023, 3, 31), value=Decimal("2000"))
    analysis = analyse(sheet(["P01", "", "4月", 1800, "", ""]), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(3, "更正原因")]
    assert "2,000" in analysis.errors[0].message

    with_reason = sheet(["P01", "", "4月", 1800, "", "", "统计口径调整"], headers=[*HEADERS, "更正原因"])
    assert analyse(with_reason, plan).errors == []


def test_rows_of_the_same_file_are_checked_as_one_series(plan, projects):
    analysis = analyse(sheet(["P01", "", "5月", 3000, "", ""], ["P01", "", "4月", 3500, "", ""]), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(3, "更正原因")]


def test_a_value_above_a_later_report_already_filed_is_an_error(plan, projects):
    ProgressReportFactory(item=projects["P01"], as_of=D(2023, 5, 31), value=Decimal("3000"))
    analysis = analyse(sheet(["P01", "", "4月", 3500, "", ""]), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(3, "累计完成投资（万元）")]


@pytest.mark.parametrize(
    ("month", "column"),
    [("2022年12月", "月份"), ("8月", "月份"), ("十三月", "月份")],  # outside the period, in the future, no month
)
def test_the_month_must_be_a_month_within_the_period_and_not_in_the_future(plan, projects, month, column):
    analysis = analyse(sheet(["P01", "", month, 100, "", ""]), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(3, column)]


def test_bad_numbers_unknown_codes_and_duplicate_months_are_errors_with_rows(plan, projects):
    analysis = analyse(
        sheet(
            ["P01", "", "3月", "两千", "", ""],
            ["P99", "", "3月", 100, "", ""],
            ["P02", "", "3月", 100, "", ""],
            ["P02", "", "2023-03", 120, "", ""],
            ["", "", "3月", 100, "", ""],
        ),
        plan,
    )
    assert [(e.row, e.column) for e in analysis.errors] == [
        (3, "累计完成投资（万元）"),
        (4, "项目编号"),
        (6, "月份"),
        (7, "项目编号"),
    ]
    assert "P99" in analysis.errors[1].message
    assert "5" in analysis.errors[2].message


def test_a_yes_no_goal_takes_no_value(plan, departments):
    TargetFactory(plan=plan, code="G01", metric_kind="milestone", target_value=None, lead_department=departments["alpha"])
    analysis = analyse(sheet(["G01", "", "3月", 1, "已完成", ""], ["G01", "", "4月", None, "已完成", ""]), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(3, "累计完成投资（万元）")]


def test_a_unit_user_imports_only_its_units_items_and_other_rows_are_errors(plan, projects, departments):
    data = sheet(["P01", "", "3月", 100, "", ""], ["P02", "", "3月", 100, "", ""])
    analysis = analyse(data, plan, department_id=departments["alpha"].pk)

    assert [(e.row, e.column) for e in analysis.errors] == [(4, "项目编号")]
    assert "P02" in analysis.errors[0].message
    assert "卫健局" in analysis.errors[0].message
    assert [r.status for r in analysis.rows] == ["new", "error"]
    assert analyse(data, plan).errors == []  # staff: any item


def test_the_progress_template_lists_the_units_items_and_reads_back(plan, projects, departments):
    import io

    from openpyxl import load_workbook

    data = template.progress_template(plan, departments["alpha"].pk)
    listing = [row[0] for row in load_workbook(io.BytesIO(data))["项目清单"].iter_rows(min_row=2, values_only=True)]
    assert listing == ["P01"]
    analysis = analyse(data, plan, department_id=departments["alpha"].pk)
    assert analysis.errors == []
    assert analysis.rows[0].code == "P01"


def test_missing_month_column_is_an_error_on_the_header_row(plan, projects):
    analysis = analyse(make_workbook([["项目编号", "累计完成投资"], ["P01", 1]], sheet="月度进度"), plan)
    assert [(e.row, e.column) for e in analysis.errors] == [(1, "月份")]


def test_analysis_queries_do_not_grow_with_the_rows(plan, departments, django_assert_max_num_queries):
    rows = []
    for n in range(40):
        project = ProjectFactory(plan=plan, code=f"P{n:02d}", lead_department=departments["alpha"])
        ProgressReportFactory(item=project, as_of=D(2023, 3, 31), value=Decimal("10"))
        rows += [[f"P{n:02d}", "", "3月", 10, "按计划推进", ""], [f"P{n:02d}", "", "4月", 20, "", ""]]
    with django_assert_max_num_queries(5):
        analysis = analyse(sheet(*rows), plan)
    assert analysis.counts()["new"] == 40
    assert analysis.counts()["unchanged"] == 40


@pytest.mark.parametrize("month", ["1月", "2023年1月", "2023-01", D(2023, 1, 31)])
def test_january_alone_is_refused_pointing_to_the_1_2_month(plan, projects, month):
    analysis = analyse(sheet(["P01", "", month, 10, "", ""]), plan)

    assert [(e.row, e.column) for e in analysis.errors] == [(3, "月份")]
    assert "1—2月" in analysis.errors[0].message
    assert not analysis.actions


def test_texts_longer_than_their_fields_are_errors_in_the_preview(plan, projects):
    headers = [*HEADERS, "更正原因"]
    analysis = analyse(sheet(["P01", "", "3月", 100, "桩基" * 2000, "", "因" * 301], headers=headers), plan)

    assert [(e.row, e.column) for e in analysis.errors] == [(3, "更正原因")]  # 形象进度 is a text of any length
    assert "300" in analysis.errors[0].message
    assert "301" in analysis.errors[0].message
