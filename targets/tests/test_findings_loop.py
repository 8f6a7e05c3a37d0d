"""The 督办 loop (targets.findings.followup): assigned matters, replies and review, reopening, 回头看, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import findings
from targets.findings import followup
from targets.models import AssignedMatter, Dispatch, Escalation, Finding, SupervisionRound
from targets.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def item(departments):
    return TargetFactory(lead_department=departments["alpha"])


@pytest.fixture
def finding(item):
    return Finding.objects.create(
        item=item,
        cause="red",
        opened_on=D(2023, 7, 10),
        light_when_found="red",
        deadline=D(2023, 7, 24),
        department=item.lead_department,
    )


def instruction(item, **kwargs) -> AssignedMatter:
    fields = {
        "source": "instruction",
        "title": "加快推进充电桩建设",
        "requirement": "7月底前完成年度目标的60%",
        "item": item,
        "document_number": "区领导批示〔2023〕12号",
        "leader": "王副区长",
        "instructed_on": D(2023, 7, 3),
        "original_text": "请发改局牵头，抓紧推进。",
        "department": item.lead_department,
        "assigned_on": D(2023, 7, 5),
        "deadline": D(2023, 7, 31),
    }
    return AssignedMatter(**{**fields, **kwargs})


# --- the whole path ------------------------------------------------------------------------------------


def test_an_instruction_runs_the_whole_loop_to_a_second_close_out(item, staff_user, unit_user):
    finding = followup.assign(instruction(item), staff_user)
    assert (finding.source, finding.state, finding.department, finding.deadline) == (
        "instruction",
        "open",
        item.lead_department,
        D(2023, 7, 31),
    )
    assert finding.confirmed_by == staff_user
    assert "王副区长" in finding.description
    assert "请发改局牵头" in finding.description

    first = followup.submit_reply(finding, "已召开专题会，正在选址", unit_user, on=D(2023, 7, 10))
    followup.review_reply(first, staff_user, accept=False, comment="请补充点位清单和时间表", on=D(2023, 7, 11))
    second = followup.submit_reply(finding, "点位清单见附件，7月25日前开工", unit_user, on=D(2023, 7, 12))
    followup.review_reply(second, staff_user, accept=True, on=D(2023, 7, 13))
    findings.record_measures(finding, "分三批建设120个充电桩", unit_user)
    findings.request_closure(finding, unit_user, on=D(2023, 7, 28))
    findings.close_out(finding, staff_user, "现场核验：已建成", on=D(2023, 7, 31))
    finding.refresh_from_db()
    assert (finding.state, finding.recheck_due) == ("closed", D(2023, 10, 29))  # 90 days (the plan's default)

    assert list(followup.rechecks_due(D(2023, 10, 28))) == []
    assert list(followup.rechecks_due(D(2023, 10, 29))) == [finding]
    followup.record_recheck(finding, staff_user, holds=False, note="回访发现半数点位未通电", on=D(2023, 10, 30))
    finding.refresh_from_db()
    assert (finding.state, finding.level, finding.reopen_count, finding.reopened_on) == ("in_progress", 2, 1, D(2023, 10, 30))
    assert finding.recheck_due is None
    assert finding.original_deadline == D(2023, 7, 31)
    assert finding.deadline > D(2023, 10, 30)
    assert Escalation.objects.filter(finding=finding, level=2).exists()
    assert list(followup.rechecks_due(D(2023, 12, 31))) == []

    findings.request_closure(finding, unit_user, on=D(2023, 11, 10))
    findings.close_out(finding, staff_user, "复核：全部通电", on=D(2023, 11, 15))
    finding.refresh_from_db()
    assert (finding.state, finding.recheck_due) == ("closed", D(2024, 2, 13))

    steps = [e.kind for e in finding.events.order_by("pk")]
    assert steps == [
        "assigned",
        "reply",
        "reply_returned",
        "reply",
        "reply_accepted",
        "measures",
        "closure_requested",
        "closed",
        "recheck_relapsed",
        "closure_requested",
        "closed",
    ]
    returned = finding.events.get(kind="reply_returned")
    assert (returned.actor, returned.text, returned.date) == (staff_user, "请补充点位清单和时间表", D(2023, 7, 11))
    timeline = findings.timeline(finding)
    assert [row["date"] for row in timeline] == sorted(row["date"] for row in timeline)
    assert (timeline[0]["date"], timeline[0]["text"]) == (D(2023, 7, 5), finding.description.splitlines()[0])


# --- replies and review -----------------------------------------------------------------------------


def test_a_unit_cannot_review_a_reply_nor_staff_their_own(finding, unit_user, staff_user):
    reply = followup.submit_reply(finding, "已整改", unit_user)
    with pytest.raises(PermissionDenied):
        followup.review_reply(reply, unit_user, accept=True)
    own = followup.submit_reply(finding, "局里代录的书面回复", staff_user)
    with pytest.raises(PermissionDenied):
        followup.review_reply(own, staff_user, accept=True)
    reply.refresh_from_db()
    assert reply.state == "pending"


def test_another_unit_cannot_answer_but_a_cooperating_unit_can(finding, other_unit_user, departments):
    with pytest.raises(PermissionDenied):
        followup.submit_reply(finding, "不是我们的", other_unit_user)
    finding.cooperating_departments.add(departments["beta"])
    reply = followup.submit_reply(finding, "配合单位意见", other_unit_user)
    assert reply.finding == finding


def test_sending_back_needs_a_comment_and_happens_once(finding, unit_user, staff_user):
    reply = followup.submit_reply(finding, "已整改", unit_user)
    with pytest.raises(ValidationError) as exc:
        followup.review_reply(reply, staff_user, accept=False, comment=" ")
    assert exc.value.error_dict["review_comment"][0].code == "required"
    followup.review_reply(reply, staff_user, accept=True)
    with pytest.raises(ValidationError) as exc:
        followup.review_reply(reply, staff_user, accept=False, comment="again")
    assert exc.value.code == "already_reviewed"


def test_a_reply_to_a_notice_records_the_reply_date(finding, unit_user, staff_user):
    round_ = SupervisionRound.objects.create(plan=finding.item.plan, number=1, date=D(2023, 7, 1), title="第一轮")
    notice = Dispatch.objects.create(round=round_, department=finding.department, number="督〔2023〕1-1号")
    followup.submit_reply(finding, "书面回复", unit_user, dispatch=notice, on=D(2023, 7, 6))
    notice.refresh_from_db()
    assert notice.replied_on == D(2023, 7, 6)


def test_a_closure_request_can_be_sent_back_with_a_comment(finding, unit_user, staff_user):
    findings.record_measures(finding, "已开工", unit_user)
    with pytest.raises(ValidationError):
        followup.return_closure(finding, staff_user, "未申请")
    findings.request_closure(finding, unit_user)
    with pytest.raises(PermissionDenied):
        followup.return_closure(finding, unit_user, "自己退回")
    followup.return_closure(finding, staff_user, "佐证不足，请补充现场照片")
    finding.refresh_from_db()
    assert (finding.state, finding.closure_requested_on) == ("in_progress", None)
    assert finding.events.get(kind="closure_returned").text == "佐证不足，请补充现场照片"


# --- reopening ------------------------------------------------------------------------------------------


def test_staff_reopen_a_closed_finding_with_a_reason(finding, staff_user, unit_user):
    with pytest.raises(ValidationError):
        followup.reopen(finding, staff_user, "还没关")
    findings.close_out(finding, staff_user, "已核验", on=D(2023, 7, 20))
    with pytest.raises(PermissionDenied):
        followup.reopen(finding, unit_user, "单位想重开")
    with pytest.raises(ValidationError) as exc:
        followup.reopen(finding, staff_user, "")
    assert exc.value.error_dict["reason"][0].code == "required"

    followup.reopen(finding, staff_user, "群众反映问题反弹", on=D(2023, 8, 1))
    finding.refresh_from_db()
    assert (finding.state, finding.level, finding.reopen_count, finding.closed_on) == ("open", 1, 1, None)
    assert finding.history.first().history_user == staff_user
    event = finding.events.get(kind="reopened")
    assert (event.actor, event.text) == (staff_user, "群众反映问题反弹")


def test_a_finding_is_not_reopened_while_another_is_open_for_the_same_lag(finding, staff_user, item):
    findings.close_out(finding, staff_user, "已核验", on=D(2023, 7, 20))
    Finding.objects.create(item=item, cause="red", opened_on=D(2023, 8, 1), light_when_found="red", deadline=D(2023, 8, 15))
    with pytest.raises(ValidationError) as exc:
        followup.reopen(finding, staff_user, "反弹")
    assert exc.value.code == "already_open"


def test_a_recheck_that_holds_ends_the_loop(finding, staff_user):
    findings.close_out(finding, staff_user, "已核验", on=D(2023, 7, 20))
    followup.record_recheck(finding, staff_user, holds=True, note="回头看：问题未反弹", on=D(2023, 10, 18))
    finding.refresh_from_db()
    assert (finding.state, finding.recheck_result, finding.rechecked_on) == ("closed", "holds", D(2023, 10, 18))
    with pytest.raises(ValidationError) as exc:
        followup.record_recheck(finding, staff_user, holds=False, note="再来一次")
    assert exc.value.code == "no_recheck"


def test_the_recheck_delay_is_a_plan_setting(finding, staff_user):
    plan = finding.item.plan
    plan.recheck_days = 30
    plan.save()
    findings.close_out(finding, staff_user, "已核验", on=D(2023, 7, 20))
    finding.refresh_from_db()
    assert finding.recheck_due == D(2023, 8, 19)


def test_a_manual_finding_relapses_too(item, staff_user):
    finding = followup.assign(instruction(item, source="meeting", meeting="二季度调度会", meeting_on=D(2023, 7, 1)), staff_user)
    findings.close_out(finding, staff_user, "已核验", on=D(2023, 7, 20))
    followup.record_recheck(finding, staff_user, holds=False, note="反弹", on=D(2023, 10, 20))
    finding.refresh_from_db()
    assert (finding.source, finding.state, finding.level) == ("meeting", "open", 2)


# --- assigned matters -------------------------------------------------------------------------------


def test_a_matter_needs_what_its_source_calls_for(item, staff_user, unit_user):
    with pytest.raises(ValidationError) as exc:
        followup.assign(instruction(item, leader="", original_text="", instructed_on=None), staff_user)
    assert set(exc.value.error_dict) == {"leader", "original_text", "instructed_on"}
    with pytest.raises(ValidationError) as exc:
        followup.assign(instruction(item, source="meeting"), staff_user)
    assert set(exc.value.error_dict) == {"meeting", "meeting_on"}
    with pytest.raises(ValidationError) as exc:
        followup.assign(instruction(item, deadline=D(2023, 7, 1)), staff_user)
    assert exc.value.error_dict["deadline"][0].code == "before_assigned"
    with pytest.raises(PermissionDenied):
        followup.assign(instruction(item), unit_user)
    assert not AssignedMatter.objects.exists()
    assert not Finding.objects.exists()


def test_a_matter_carries_its_cooperating_units_to_the_finding(item, staff_user, departments):
    matter = instruction(item, source="site_inspection", document_number="", leader="", original_text="")
    finding = followup.assign(matter, staff_user, cooperating=[departments["beta"]])
    assert list(finding.cooperating_departments.all()) == [departments["beta"]]
    assert finding.source == "site_inspection"
    assert matter.finding == finding
    assert finding.escalations.get().level == 1
