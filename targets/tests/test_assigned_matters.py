"""Assigned matters (交办事项): the admin form, the Excel import, unit visibility, the findings API's source."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from targets.findings import matter_import
from targets.models import AssignedMatter, Finding
from targets.tests.factories import TargetFactory

from .admin_forms import form_errors

pytestmark = pytest.mark.django_db

D = dt.date
CHANGELIST = reverse("admin:targets_assignedmatter_changelist")
ADD = reverse("admin:targets_assignedmatter_add")
IMPORT = reverse("admin:targets_assignedmatter_import")


@pytest.fixture
def goal(plan, departments):
    return TargetFactory(plan=plan, code="2023-G50", title="新增充电桩", lead_department=departments["alpha"])


def form_data(goal, **values) -> dict:
    data = {
        "source": "instruction",
        "title": "加快推进充电桩建设",
        "requirement": "7月底前完成年度目标的60%",
        "item": goal.pk,
        "document_number": "区领导批示〔2023〕12号",
        "leader": "王副区长",
        "instructed_on": "2023-07-03",
        "original_text": "请抓紧推进。",
        "meeting": "",
        "meeting_on": "",
        "meeting_item": "",
        "round": "",
        "department": goal.lead_department_id,
        "assigned_on": "2023-07-05",
        "deadline": "2023-07-31",
    }
    data.update(values)
    return data


def test_staff_add_an_instruction_and_it_becomes_a_finding(client, staff_user, goal, departments):
    client.force_login(staff_user)
    response = client.post(ADD, form_data(goal, cooperating_departments=[departments["beta"].pk]))
    assert response.status_code == 302, form_errors(response)
    matter = AssignedMatter.objects.get()
    finding = matter.finding
    assert (finding.source, finding.item_id, finding.department, finding.deadline, finding.state) == (
        "instruction",
        goal.pk,
        departments["alpha"],
        D(2023, 7, 31),
        "open",
    )
    assert list(finding.cooperating_departments.all()) == [departments["beta"]]
    assert matter.history.first().history_user == staff_user
    assert finding.events.get().kind == "assigned"


def test_an_instruction_needs_its_leader_date_and_text(client, staff_user, goal):
    client.force_login(staff_user)
    response = client.post(ADD, form_data(goal, leader="", original_text=""))
    assert response.status_code == 200
    assert set(form_errors(response)) >= {"leader", "original_text"}
    assert not Finding.objects.exists()


def test_a_unit_sees_only_its_own_matters_and_adds_none(client, staff_user, unit_user, other_unit_user, goal):
    client.force_login(staff_user)
    assert client.post(ADD, form_data(goal)).status_code == 302
    client.force_login(unit_user)
    assert len(client.get(CHANGELIST).context["cl"].result_list) == 1
    assert client.post(ADD, form_data(goal, title="单位自己交办")).status_code == 403
    assert client.get(IMPORT).status_code == 403
    client.force_login(other_unit_user)
    assert len(client.get(CHANGELIST).context["cl"].result_list) == 0


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["2023年交办事项"])  # a title row above the header
    sheet.append(list(matter_import.COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    base = dict.fromkeys(matter_import.COLUMNS, "")
    base.update(
        {
            "来源": "调度会",
            "事项名称": "协调解决充电桩用地",
            "交办要求": "8月底前落实用地",
            "目标或项目编号": "2023-G50",
            "会议名称": "二季度重大项目调度会",
            "会议日期": D(2023, 6, 28),
            "议定事项": "第3项",
            "牵头单位": "市场监管局",
            "配合单位": "区卫生健康局",
            "交办日期": "2023-07-01",
            "办理时限": "2023年8月31日",
        }
    )
    base.update(values)
    return list(base.values())


def test_the_import_writes_every_row_or_none(client, staff_user, goal, plan, departments):
    client.force_login(staff_user)
    bad = workbook(row(), row(**{"来源": "微信群", "目标或项目编号": "2023-G99", "办理时限": "下月"}))
    upload = io.BytesIO(bad)
    upload.name = "交办事项.xlsx"
    response = client.post(IMPORT, {"plan": plan.pk, "file": upload})
    assert response.status_code == 200
    errors = {(r, column) for r, column, _message in response.context["outcome"].errors}
    assert errors == {(4, "来源"), (4, "目标或项目编号"), (4, "办理时限")}
    assert not AssignedMatter.objects.exists()

    good = workbook(row(), row(**{"来源": "领导批示", "事项名称": "专题研究", "批示领导": "李区长", "批示日期": "2023-07-02",
                                  "批示原文": "请研究。", "会议名称": "", "会议日期": ""}))  # fmt: skip
    for _attempt in range(2):  # a second import of the same file adds nothing
        upload = io.BytesIO(good)
        upload.name = "交办事项.xlsx"
        assert client.post(IMPORT, {"plan": plan.pk, "file": upload}).status_code == 302
    matters = AssignedMatter.objects.order_by("pk")
    assert [(m.source, m.finding.source, m.deadline) for m in matters] == [
        ("meeting", "meeting", D(2023, 8, 31)),
        ("instruction", "instruction", D(2023, 8, 31)),
    ]
    assert list(matters[0].finding.cooperating_departments.all()) == [departments["beta"]]


def test_the_template_has_every_column(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:targets_assignedmatter_template"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == list(matter_import.COLUMNS)


def test_a_file_that_is_not_a_workbook_is_refused(client, staff_user, plan):
    client.force_login(staff_user)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    response = client.post(IMPORT, {"plan": plan.pk, "file": upload})
    assert response.context["file_error"]


def test_the_findings_api_filters_by_the_instruction_source(api, staff_user, goal):
    from targets.findings import followup

    followup.assign(
        AssignedMatter(
            source="instruction", title="批示事项", requirement="落实", item=goal, leader="王副区长",
            instructed_on=D(2023, 7, 3), original_text="请落实。", department=goal.lead_department,
            assigned_on=D(2023, 7, 5), deadline=D(2023, 7, 31),
        ),
        staff_user,
    )  # fmt: skip
    response = api(staff_user).get("/api/v1/findings/?source=instruction")
    assert response.status_code == 200
    assert [f["source"] for f in response.json()["results"]] == ["instruction"]
    assert api(staff_user).get("/api/v1/findings/?source=meeting").json()["results"] == []
