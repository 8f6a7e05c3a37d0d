"""The monthly 督查通报: its content for a seeded month, read back from the .docx; the command; the admin link."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from projects.documents import circular, circular_docx
from projects.tests.factories import ProjectFactory
from targets import findings
from targets.engine.supervision import supervise
from targets.findings import followup
from targets.models import AssignedMatter, Finding, Person, ProgressReport
from targets.tests.factories import CheckpointFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _in_august(time_machine):
    time_machine.move_to(dt.datetime(2023, 8, 2, 9, tzinfo=dt.UTC), tick=False)


def project(plan, code, unit, per_month):
    leader = Person.objects.create(name=f"{code}包干领导", is_leader=True)
    p = ProjectFactory(plan=plan, code=code, title=f"{code}项目", target_value=Decimal("1200"), lead_department=unit,
                       responsible_leader=leader)  # fmt: skip
    for month in range(2, 13):
        end = D(2023, month + 1, 1) - dt.timedelta(days=1) if month < 12 else D(2023, 12, 31)
        CheckpointFactory(item=p, date=end, expected_value=Decimal(100 * month))
        if month <= 7:
            ProgressReport.objects.create(item=p, as_of=end, value=Decimal(per_month * month))
    return p


def matter(item, staff_user, title, deadline, **kwargs):
    fields = {"source": "instruction", "leader": "王副区长", "instructed_on": D(2023, 7, 1), "original_text": "请抓紧办理。"}
    fields.update(kwargs)
    return followup.assign(
        AssignedMatter(title=title, requirement="按时办结", item=item, department=item.lead_department,
                       assigned_on=D(2023, 7, 3), deadline=deadline, **fields),
        staff_user,
    )  # fmt: skip


@pytest.fixture
def july(plan, departments, staff_user, unit_user):
    """Red P1 (市场监管局, overdue finding), green P2 (卫健局); two matters; a re-check that relapsed."""
    p1 = project(plan, "P1", departments["alpha"], 30)
    p2 = project(plan, "P2", departments["beta"], 100)
    supervise(plan, D(2023, 7, 10))
    # Staff confirm P1's automatic finding the day it opens, so it climbs the ladder (issue 10 item 7).
    findings.confirm(Finding.objects.get(item=p1), staff_user, at=dt.datetime(2023, 7, 10, 9, tzinfo=dt.UTC))
    supervise(plan, D(2023, 7, 31))
    done = matter(p2, staff_user, "落实充电桩用地", D(2023, 7, 20))
    findings.record_measures(done, "已落实", unit_user)
    findings.close_out(done, staff_user, "现场核验", on=D(2023, 7, 18))
    matter(p2, staff_user, "专题研究资金保障", D(2023, 7, 25), source="meeting", meeting="七月调度会", meeting_on=D(2023, 7, 2))
    old = Finding.objects.create(item=p2, cause="manual", source="site_inspection", opened_on=D(2023, 3, 1),
                                 light_when_found="yellow", deadline=D(2023, 3, 15), department=departments["beta"])  # fmt: skip
    findings.close_out(old, staff_user, "已整改", on=D(2023, 4, 1))
    followup.record_recheck(old, staff_user, holds=False, note="回头看发现问题反弹", on=D(2023, 7, 5))
    return p1, p2, done, old


def text_of(content: bytes) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_the_circular_of_a_seeded_month(plan, july):
    content = circular_docx.circular_docx(circular.gather(plan, D(2023, 7, 1)))
    text, tables = text_of(content)

    assert "督 查 通 报" in text
    assert "（2023年第7期）" in text
    assert "共2项，其中红灯1项、黄灯0项、绿灯1项、蓝灯0项、未评价0项" in text
    # Opened in July: P1's red finding and the two matters; closed: the first matter; open and overdue at
    # the month end: P1's (deadline 07-24), the second matter (07-25) and the relapsed one (reopened on
    # 07-05 with ten working days: 07-19).
    assert "本月新发现督办事项3项，销号1项，月底在办3项，其中逾期3项" in text

    ranking = next(t for t in tables if t[0][0] == "排名")
    assert [row[:2] + row[5:] for row in ranking[1:]] == [
        ["1", "区卫生健康局", "100.0%", "2", "1"],  # the second matter and the relapsed finding
        ["2", "区市场监督管理局", "0.0%", "1", "0"],
    ]
    red = next(t for t in tables if t[0][0] == "编号" and t[0][1] == "名称")
    assert [row[0] for row in red[1:]] == ["P1"]
    assert (red[1][3], red[1][4]) == ("区市场监督管理局", "P1包干领导")
    assert red[1][2] != "—"
    overdue = next(t for t in tables if t[0][1] == "督办对象" and t[0][0] == "编号")
    assert [(row[1], row[3], row[5]) for row in overdue[1:]] == [
        ("P2 P2项目", "2023-07-19", "二级（警示）"),  # the relapse raised it one level
        ("P1 P1项目", "2023-07-24", "二级（警示）"),
        ("P2 P2项目", "2023-07-25", "一级（提醒）"),
    ]
    matters = next(t for t in tables if t[0][0] == "事项")
    assert [(row[0], row[1], row[4]) for row in matters[1:]] == [
        ("落实充电桩用地", "领导批示", "已办结（07月18日销号）"),
        ("专题研究资金保障", "会议议定", "逾期未办结"),
    ]
    assert "本月开展回头看1项，其中未反弹0项、反弹1项" in text
    rechecks = next(t for t in tables if t[0][0] == "督办对象" and t[0][3] == "结果")
    assert rechecks[1][3:] == ["反弹，已重新督办", "回头看发现问题反弹"]


def test_a_closed_month_reads_the_same_after_later_changes_and_in_english(plan, july, staff_user, time_machine):
    _p1, _p2, done, _old = july
    before = text_of(circular_docx.circular_docx(circular.gather(plan, D(2023, 7, 1))))

    time_machine.move_to(dt.datetime(2023, 8, 20, 9, tzinfo=dt.UTC), tick=False)
    p1_finding = Finding.objects.get(item__code="P1", cause="red")
    findings.record_measures(p1_finding, "加快施工", staff_user)
    findings.close_out(p1_finding, staff_user, "8月已追上", on=D(2023, 8, 15))
    followup.reopen(done, staff_user, "群众反映又出问题", on=D(2023, 8, 18))
    with translation.override("en"):
        after = text_of(circular_docx.circular_docx(circular.gather(plan, D(2023, 7, 1))))

    assert after == before


def test_the_command_writes_the_docx(plan, july, tmp_path):
    out = tmp_path / "通报.docx"
    call_command("circular", "2023-07", "--plan", "2023", "--output", str(out))
    text, _tables = text_of(out.read_bytes())
    assert "2023年度目标和重大项目2023年7月督查情况" in text
    with pytest.raises(CommandError):
        call_command("circular", "July", "--output", str(out))
    with pytest.raises(CommandError):
        call_command("circular", "2023-07", "--plan", "2031", "--output", str(out))


def test_staff_download_it_from_the_dashboard_and_units_cannot(client, plan, july, staff_user, unit_user):
    url = reverse("admin:dashboard_circular") + "?month=2023-07"
    client.force_login(unit_user)
    assert client.get(url).status_code == 403
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text, _tables = text_of(b"".join(response.streaming_content))
    assert "（2023年第7期）" in text
