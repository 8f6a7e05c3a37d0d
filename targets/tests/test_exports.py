"""The three lists as .xlsx and the 督办通知单 as .docx: the bureau's Chinese format, whatever the UI language."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from targets import findings
from targets.documents import spreadsheets, three_lists
from targets.findings import rounds

from .factories import AmountGoalFactory, PersonFactory, TargetFactory
from .formula_text import AT_SUM, HYPERLINK, PLUS_ONE, assert_written_as_text
from .supervision_data import make_finding

D = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

PROBLEM_HEADERS = [
    "序号", "问题编号", "督办对象编号", "督办对象名称", "关联节点", "触发原因", "问题类别", "问题描述", "存在问题", "发现日期",
    "发现时灯色", "应完成", "实际完成", "差距", "计量单位", "逾期天数", "问题来源", "督办等级", "状态",
]  # fmt: skip
RESPONSIBILITY_HEADERS = [
    "序号", "问题编号", "督办对象编号", "督办对象名称", "包干区领导", "牵头单位", "配合单位", "责任人", "联系电话", "项目业主",
]  # fmt: skip
RECTIFICATION_HEADERS = [
    "序号", "问题编号", "督办对象编号", "督办对象名称", "整改措施", "整改时限", "原整改时限", "进展反馈", "佐证材料",
    "延期申请", "申请销号日期", "核验人", "核验情况", "销号日期",
]  # fmt: skip


@pytest.fixture
def round_with_findings(plan, departments, staff_user):
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
    goal = TargetFactory(plan=plan, code="G16", title="新开工项目35个", unit="个", lead_department=departments["beta"])
    red = make_finding(project, cause="red", deadline=D(2023, 7, 14))
    red.cooperating_departments.add(departments["beta"])
    findings.record_measures(red, "倒排工期，增加施工班组", staff_user)
    findings.add_update(red, "桩基完成60%", staff_user, on=D(2023, 7, 10))
    extension = findings.request_extension(red, D(2023, 8, 15), "汛期停工", staff_user)
    findings.decide_extension(extension, staff_user, approve=True)
    milestone = make_finding(
        goal, cause="milestone_missed", expected=None, actual=None, gap=None, days_overdue=31, deadline=D(2023, 7, 20)
    )
    make_finding(goal, cause="red", state="closed", deadline=D(2023, 7, 1))  # not in the round
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", staff_user)
    return round_, red, milestone


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def header_row(sheet) -> list:
    return [cell.value for cell in sheet[1]]


def test_it_writes_three_sheets_with_the_bureaus_headers(round_with_findings):
    round_, _red, _milestone = round_with_findings

    book = workbook(three_lists.three_lists_xlsx(rounds.entries(round_), "2023-R1"))

    assert book.sheetnames == ["问题清单", "责任清单", "整改清单"]
    assert header_row(book["问题清单"]) == PROBLEM_HEADERS
    assert header_row(book["责任清单"]) == RESPONSIBILITY_HEADERS
    assert header_row(book["整改清单"]) == RECTIFICATION_HEADERS
    for sheet in book.worksheets:
        assert sheet.max_row == 3  # the header and one row per open finding of the round
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["D"].width == 30


def test_it_fills_one_row_per_finding_in_list_order(round_with_findings):
    round_, red, milestone = round_with_findings

    book = workbook(three_lists.three_lists_xlsx(rounds.entries(round_), "2023-R1"))

    problems = book["问题清单"]
    row = dict(zip(PROBLEM_HEADERS, (c.value for c in problems[2]), strict=True))
    # Units in name order: 区卫生健康局 (the count goal) before 区市场监督管理局 (the amount goal).
    assert row["问题编号"] == f"2023-{milestone.pk:04d}"
    assert row["触发原因"] == "节点逾期未完成"
    assert row["逾期天数"] == 31
    assert row["计量单位"] == "个"
    row = dict(zip(PROBLEM_HEADERS, (c.value for c in problems[3]), strict=True))
    assert row["序号"] == 2
    assert row["问题编号"] == f"2023-{red.pk:04d}"
    assert row["督办对象编号"] == "P-001"
    assert row["督办对象名称"] == "椒江大桥改建工程"
    assert row["触发原因"] == "亮红灯"
    assert not row["问题类别"]  # staff classify findings; the run leaves the category blank
    assert row["问题描述"] == "6月末应完成4000万元，实际完成1500万元。"
    assert row["存在问题"] == "政策处理未完成"
    assert row["发现日期"].date() == D(2023, 6, 30)
    assert problems.cell(3, PROBLEM_HEADERS.index("发现日期") + 1).number_format == "yyyy-mm-dd"
    assert row["发现时灯色"] == "红"
    assert row["应完成"] == 4000
    assert row["差距"] == 2500
    assert problems.cell(3, PROBLEM_HEADERS.index("应完成") + 1).number_format == "#,##0.00"
    assert row["计量单位"] == "万元"
    assert row["问题来源"] == "亮灯触发"
    assert row["督办等级"] == "一级：提醒"
    assert row["状态"] == "整改中"

    people = dict(zip(RESPONSIBILITY_HEADERS, (c.value for c in book["责任清单"][3]), strict=True))
    assert people["包干区领导"] == "王副区长（副区长）"
    assert people["牵头单位"] == "区市场监督管理局"
    assert people["配合单位"] == "卫健局"
    assert people["责任人"] == "李联络"
    assert people["联系电话"] == "0576-88000001"
    assert people["项目业主"] is None  # a goal has no owner (a project's: projects/tests/test_three_lists_owner.py)

    work = dict(zip(RECTIFICATION_HEADERS, (c.value for c in book["整改清单"][3]), strict=True))
    assert work["整改措施"] == "倒排工期，增加施工班组"
    assert work["整改时限"].date() == D(2023, 8, 15)
    assert work["原整改时限"].date() == D(2023, 7, 14)
    assert work["进展反馈"] == "2023-07-10 桩基完成60%"
    assert work["延期申请"] == "原时限2023-07-14，申请延至2023-08-15（已批准）：汛期停工"
    assert work["销号日期"] is None


def test_it_lists_a_units_findings_on_its_notice(round_with_findings, departments, staff_user):
    round_, red, _milestone = round_with_findings
    sent = rounds.dispatch(round_, departments["alpha"], staff_user, sent_at=D(2023, 7, 4))

    content = three_lists.notice_docx(
        unit="区市场监督管理局",
        rows=rounds.unit_entries(round_, departments["alpha"].pk),
        number=sent.number,
        reply_due=sent.reply_due,
        reply_workdays=5,
        issuing_office=round_.issuing_office,
        round_date=round_.date,
        round_kind=round_.kind,
        round_title=round_.title,
        issued_on=D(2023, 7, 4),
    )

    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "督办通知单" in text
    assert "编号：2023-R1-001" in text
    assert "区市场监督管理局：" in text
    assert "回复时限：2023-07-11" in text
    assert "区发展改革局督查室" in text
    assert "现场督查（7月现场督查）" in text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "问题编号", "督办对象", "存在问题", "整改时限", "督办等级"]
    assert len(table.rows) == 2  # one finding of this unit
    cells = [c.text for c in table.rows[1].cells]
    assert cells[1] == f"2023-{red.pk:04d}"
    assert cells[2] == "P-001 椒江大桥改建工程"
    assert "亮红灯" in cells[3]
    assert cells[4] == "2023-08-15"


def url(name: str, *args) -> str:
    return reverse(f"admin:targets_supervisionround_{name}", args=args)


def test_it_downloads_the_lists_in_chinese_from_an_english_page(client, staff_user, round_with_findings):
    round_, _red, _milestone = round_with_findings
    client.force_login(staff_user)

    response = client.get(url("xlsx", round_.pk), **EN)

    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = workbook(b"".join(response.streaming_content))
    assert header_row(book["问题清单"]) == PROBLEM_HEADERS


def test_it_downloads_a_units_notice_before_and_after_it_is_sent(client, staff_user, round_with_findings, departments):
    round_, _red, _milestone = round_with_findings
    client.force_login(staff_user)
    notice = url("notice", round_.pk, departments["beta"].pk)

    before = docx.Document(io.BytesIO(b"".join(client.get(notice, **EN).streaming_content)))
    assert "编号：（发出时编号）" in "\n".join(p.text for p in before.paragraphs)
    assert "收到本通知后5个工作日内" in "\n".join(p.text for p in before.paragraphs)

    response = client.post(url("dispatch", round_.pk, departments["beta"].pk))
    assert response.status_code == 302
    sent = round_.dispatches.get()

    after = client.get(notice)
    assert after.status_code == 200
    assert after["Content-Type"] == three_lists.DOCX_CONTENT_TYPE
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(after.streaming_content))).paragraphs)
    assert f"编号：{sent.number}" in text
    assert f"回复时限：{sent.reply_due.isoformat()}" in text
    assert timezone.localdate(sent.sent_at).isoformat() in text


def test_it_has_no_notice_for_a_unit_outside_the_round(client, staff_user, round_with_findings, departments):
    round_, _red, _milestone = round_with_findings
    client.force_login(staff_user)

    assert client.get(url("notice", round_.pk, departments["bureau"].pk)).status_code == 404


def test_it_exports_the_selected_findings_from_the_list(client, staff_user, round_with_findings):
    _round, red, milestone = round_with_findings
    client.force_login(staff_user)
    changelist = reverse("admin:targets_finding_changelist")

    response = client.post(changelist, {"action": "export_three_lists", "_selected_action": [red.pk, milestone.pk]})

    assert response.status_code == 200
    book = workbook(b"".join(response.streaming_content))
    assert book["整改清单"].max_row == 3
    assert book["问题清单"].cell(3, 2).value == f"2023-{red.pk:04d}"


def test_amounts_stay_in_10k_yuan(round_with_findings):
    round_, red, _milestone = round_with_findings
    rows = rounds.entries(round_)

    assert [Decimal(r["expected"]) for r in rows if r["finding_id"] == red.pk] == [Decimal("4000")]


def test_it_writes_user_text_that_looks_like_a_formula_as_text(plan, departments, staff_user):
    project = AmountGoalFactory(plan=plan, code="P-X", title=HYPERLINK, lead_department=departments["alpha"])
    finding = make_finding(project, problems=AT_SUM)
    findings.record_measures(finding, PLUS_ONE, staff_user)
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", staff_user)

    content = three_lists.three_lists_xlsx(rounds.entries(round_), "2023-R1")

    assert_written_as_text(content)
    book = workbook(content)
    assert book["问题清单"].cell(2, PROBLEM_HEADERS.index("督办对象名称") + 1).value == HYPERLINK
    assert book["整改清单"].cell(2, RECTIFICATION_HEADERS.index("整改措施") + 1).value == PLUS_ONE
