"""The project ledger import: every error with its row, column and message; new / changed /
unchanged; all rows or none; the audit history names the importing user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from projects.imports import register, template
from projects.imports.workbook import ImportFileError
from projects.models import Project
from targets.models import Checkpoint, Person
from targets.tests.factories import PlanFactory, TargetFactory

from .factories import ProjectFactory
from .xlsx import with_cached_values
from .xlsx import workbook as make_workbook

D = dt.date
REASON = "Excel导入：台账.xlsx"
HEADERS = [
    "项目编号",
    "项目名称",
    "责任单位",
    "项目类别",
    "建设阶段",
    "区重点（超亿元）",
    "重大项目（5000万以上）",
    "总投资（万元）",
    "年度计划投资（万元）",
]


def row(
    code="P01",
    title="椒江大桥",
    unit="区市场监督管理局",
    category="产业类",
    stage="续建",
    key="是",
    major="是",
    total="20,000",
    annual="8000",
):
    return [code, title, unit, category, stage, key, major, total, annual]


def ledger_file(*rows, headers=HEADERS, **kwargs) -> bytes:
    return make_workbook([headers, *rows], **kwargs)


def errors_of(analysis) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in analysis.errors]


@pytest.fixture
def base(plan, departments):
    return plan


def test_it_reads_new_projects_from_the_template_layout_and_creates_them(base, staff_user):
    data = ledger_file(
        row(), row(code="P02", title="人民医院", unit="卫健局", category="民生", stage="新开工"), title="2023年重大项目台账"
    )
    analysis = register.analyse(data, base)

    assert analysis.errors == []
    assert [(r.row, r.code, r.status) for r in analysis.rows] == [(3, "P01", "new"), (4, "P02", "new")]
    register.apply(analysis, staff_user, REASON)
    p2 = Project.objects.get(plan=base, code="P02")
    assert (p2.title, p2.lead_department.name, p2.category, p2.stage) == ("人民医院", "区卫生健康局", "livelihood", "new_start")
    assert (p2.total_investment, p2.target_value, p2.is_major, p2.is_district_key) == (
        Decimal("20000"),
        Decimal("8000"),
        True,
        True,
    )
    assert (p2.period_start, p2.period_end, p2.schedule_mode) == (D(2023, 1, 1), D(2023, 12, 31), "checkpoints")


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"total": "两亿"}, "总投资（万元）", "两亿"),
        ({"unit": "区不存在局"}, "责任单位", "区不存在局"),
        ({"category": "旅游类"}, "项目类别", "旅游类"),
        ({"key": "也许"}, "区重点（超亿元）", "也许"),
        ({"code": ""}, "项目编号", ""),
        ({"title": ""}, "项目名称", ""),
    ],
)
def test_each_bad_cell_is_an_error_with_its_row_and_column(base, cells, column, fragment):
    analysis = register.analyse(ledger_file(row(code="P00"), row(**cells)), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(3, column)]
    assert fragment in analysis.errors[0].message
    assert [r.status for r in analysis.rows] == ["new", "error"]


def test_a_date_in_the_wrong_format_is_an_error_naming_the_formats(base):
    headers = [*HEADERS, "计划开始日期", "计划结束日期"]
    analysis = register.analyse(ledger_file([*row(), "2023年1月1日", "31/12/2023"], headers=headers), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(2, "计划结束日期")]
    assert "2023-03-31" in analysis.errors[0].message


def test_a_code_twice_in_the_file_is_an_error_on_the_second_row_naming_the_first(base):
    analysis = register.analyse(ledger_file(row(), row(code="P02"), row()), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(4, "项目编号")]
    assert "P01" in analysis.errors[0].message
    assert "2" in analysis.errors[0].message


def test_a_missing_required_column_is_an_error_on_the_header_row(base):
    headers = ["项目编号", "项目名称", "总投资（万元）"]
    analysis = register.analyse(make_workbook([headers, ["P01", "大桥", 100]], title="台账"), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(2, "责任单位")]
    assert analysis.rows == []


def test_the_models_rules_surface_as_row_errors_on_their_columns(base):
    analysis = register.analyse(
        ledger_file(row(total="9000", annual="9500", key="是"), row(code="P02", total="4000", annual="100", key="否")), base
    )

    assert sorted((e.row, e.column) for e in analysis.errors) == [
        (2, "区重点（超亿元）"),  # ≤ 1亿元
        (2, "年度计划投资（万元）"),  # annual plan over total
        (3, "重大项目（5000万以上）"),  # < 5000万元
    ]


def test_numbers_arrive_as_text_with_separators_or_full_width_digits(base):
    analysis = register.analyse(ledger_file(row(total="２０，０００", annual=" 8,000.50 ")), base)

    project = analysis.actions[0].project
    assert (project.total_investment, project.target_value) == (Decimal("20000"), Decimal("8000.50"))


def test_units_match_by_name_or_short_name_and_leaders_by_name(base, departments):
    leader = Person.objects.create(name="王五", title="副区长", is_leader=True)
    Person.objects.create(name="王五", department=departments["beta"])  # a namesake who leads nothing
    headers = [*HEADERS, "责任领导"]
    analysis = register.analyse(ledger_file([*row(unit="市场监管局"), "王五"], headers=headers), base)

    project = analysis.actions[0].project
    assert (project.lead_department, project.responsible_leader) == (departments["alpha"], leader)


def test_an_unknown_leader_is_an_error(base):
    analysis = register.analyse(ledger_file([*row(), "赵六"], headers=[*HEADERS, "责任领导"]), base)
    assert [(e.row, e.column) for e in analysis.errors] == [(2, "责任领导")]


def test_rows_are_new_changed_or_unchanged_and_changes_show_old_and_new(base, departments):
    ProjectFactory(plan=base, code="P01", title="椒江大桥", lead_department=departments["alpha"], target_value=Decimal("8000"))
    ProjectFactory(plan=base, code="P02", title="人民医院", lead_department=departments["alpha"], target_value=Decimal("8000"))
    analysis = register.analyse(
        ledger_file(row(), row(code="P02", title="人民医院（一期）", annual="9,000"), row(code="P03")), base
    )

    assert analysis.errors == []
    assert [(r.code, r.status) for r in analysis.rows] == [("P01", "unchanged"), ("P02", "changed"), ("P03", "new")]
    assert analysis.rows[1].changes == [["项目名称", "人民医院", "人民医院（一期）"], ["年度计划投资（万元）", "8,000", "9,000"]]


def test_a_project_of_another_plan_with_the_same_code_does_not_match(base, departments):
    from targets.tests.factories import PlanFactory

    ProjectFactory(plan=PlanFactory(year=2022), code="P01")
    analysis = register.analyse(ledger_file(row()), base)
    assert analysis.rows[0].status == "new"


def test_monthly_plan_columns_set_checkpoints_at_month_ends(base, departments, staff_user):
    project = ProjectFactory(plan=base, code="P01", title="椒江大桥", lead_department=departments["alpha"])
    Checkpoint.objects.create(item=project, date=D(2023, 2, 28), expected_value=Decimal("500"))
    Checkpoint.objects.create(item=project, date=D(2023, 4, 30), expected_value=Decimal("1500"))
    headers = [*HEADERS, "分月累计计划投资（万元）", None, None]
    rows = [
        headers,
        [None] * len(HEADERS) + ["1—2月", "3月", "4月"],
        [*row(), "600", 1000, None],
    ]
    merges = [f"{c}1:{c}2" for c in "ABCDEFGHI"] + ["J1:L1"]
    analysis = register.analyse(make_workbook(rows, merges=merges), base)

    assert analysis.errors == []
    assert analysis.rows[0].changes == [["1—2月计划", "500", "600"], ["3月计划", "—", "1,000"], ["4月计划", "1,500", "—"]]
    register.apply(analysis, staff_user, REASON)
    points = dict(Checkpoint.objects.filter(item=project).values_list("date", "expected_value"))
    assert points == {D(2023, 2, 28): Decimal("600"), D(2023, 3, 31): Decimal("1000")}
    removed = Checkpoint.history.filter(history_type="-").get()
    assert (removed.history_user, removed.history_change_reason) == (staff_user, REASON)


def test_a_decreasing_monthly_plan_is_an_error(base):
    rows = [[*HEADERS, "1—2月", "3月"], [*row(), 900, 800]]
    analysis = register.analyse(make_workbook(rows), base)
    assert [(e.row, e.column) for e in analysis.errors] == [(2, "3月")]
    assert "2023-03-31" in analysis.errors[0].message


def test_a_formula_without_a_cached_value_tells_to_save_it_in_excel(base):
    data = ledger_file(row(annual="=4000*2"), row(code="P02", annual="=4000*2"))
    analysis = register.analyse(with_cached_values(data, {"I2": "8000"}), base)

    assert analysis.actions[0].project.target_value == Decimal("8000")
    assert [(e.row, e.column) for e in analysis.errors] == [(3, "年度计划投资（万元）")]
    assert "WPS" in analysis.errors[0].message or "WPS" in str(analysis.errors[0].message)


def test_the_downloaded_template_imports_cleanly_and_documents_every_column(base):
    import io

    from openpyxl import load_workbook

    data = template.register_template(base)
    book = load_workbook(io.BytesIO(data))
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True) if row and row[0]]
    assert all(column.header in notes for column in register.COLUMNS)
    assert "产业类" in str(list(book["填写说明"].iter_rows(values_only=True)))  # allowed categories listed
    analysis = register.analyse(data, base)
    assert analysis.errors == []
    assert len(analysis.actions[0].checkpoints) == 11


def test_apply_writes_history_rows_with_the_importing_user_and_reason(base, departments, staff_user):
    ProjectFactory(plan=base, code="P01", title="旧名称", lead_department=departments["alpha"])
    analysis = register.analyse(ledger_file(row(), row(code="P02")), base)
    register.apply(analysis, staff_user, REASON)

    for project in Project.objects.filter(plan=base):
        latest = project.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (staff_user, REASON)
    assert Project.history.filter(code="P01").latest().history_type == "~"


def test_one_bad_row_means_the_file_cannot_be_applied_and_nothing_is_written(base):
    analysis = register.analyse(ledger_file(row(), row(code="P02", unit="无此单位")), base)
    assert analysis.errors
    assert [a.row for a in analysis.actions] == [2]
    assert Project.objects.count() == 0


def test_a_database_error_in_the_middle_rolls_back_every_row(base, departments, staff_user):
    project = ProjectFactory(plan=base, code="P01", title="旧名称", lead_department=departments["alpha"])
    rows = [[*HEADERS, "1—2月"], [*row(), 500], [*row(code="P02"), 600]]
    analysis = register.analyse(make_workbook(rows), base)
    # After the preview someone enters February's plan: the projects are written, then the checkpoints fail.
    Checkpoint.objects.create(item=project, date=D(2023, 2, 28), expected_value=Decimal("100"))

    with pytest.raises(IntegrityError):
        register.apply(analysis, staff_user, REASON)
    assert list(Project.objects.values_list("code", "title")) == [("P01", "旧名称")]
    assert Project.history.count() == 1  # the factory's; none of the import's
    assert list(Checkpoint.objects.values_list("expected_value", flat=True)) == [Decimal("100")]


def test_analysis_queries_do_not_grow_with_the_rows(base, departments, django_assert_max_num_queries):
    for n in range(30):
        ProjectFactory(plan=base, code=f"P{n:02d}", lead_department=departments["alpha"])
    data = ledger_file(*[row(code=f"P{n:02d}", title=f"项目{n}") for n in range(60)])
    with django_assert_max_num_queries(6):
        analysis = register.analyse(data, base)
    assert analysis.counts()["new"] == 30
    assert analysis.counts()["changed"] == 30


def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_message(base):
    with pytest.raises(ImportFileError):
        register.analyse(b"PK\x03\x04 not really a zip", base)


def test_texts_longer_than_their_model_fields_are_errors_on_their_columns(base):
    headers = [*HEADERS, "所在乡镇（街道）"]
    analysis = register.analyse(
        ledger_file([*row(title="长" * 301), "镇" * 51], [*row(code="P02"), "镇" * 50], headers=headers), base
    )

    assert [(e.row, e.column) for e in analysis.errors] == [(2, "项目名称"), (2, "所在乡镇（街道）")]
    assert "300" in analysis.errors[0].message
    assert "50" in analysis.errors[1].message
    assert [r.status for r in analysis.rows] == ["error", "new"]


def test_a_code_used_by_a_goal_of_the_plan_is_an_error_not_a_failed_apply(base):
    TargetFactory(plan=base, code="G01", title="营商环境")
    other_plan = PlanFactory(year=2024)
    TargetFactory(plan=other_plan, code="P01")  # another plan's goal: no conflict

    analysis = register.analyse(ledger_file(row(code="G01"), row(code="P01")), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(2, "项目编号")]
    assert "营商环境" in analysis.errors[0].message
    assert [r.status for r in analysis.rows] == ["error", "new"]


def test_a_january_plan_column_is_refused_pointing_to_the_1_2_month(base):
    analysis = register.analyse(ledger_file([*row(), 100, 200], headers=[*HEADERS, "1月", "3月"]), base)

    assert [(e.row, e.column) for e in analysis.errors] == [(2, "1月")]
    assert "1—2月" in analysis.errors[0].message
