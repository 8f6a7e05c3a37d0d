"""The 督办 loop on a finding's admin page: replies and review, sending back, reopening, 回头看, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from targets import findings
from targets.findings import followup
from targets.models import Finding, FindingReply

from .admin_forms import add_inline_row, changeform_data
from .factories import AmountGoalFactory, TargetFactory
from .supervision_data import make_finding

pytestmark = pytest.mark.django_db

D = dt.date


def change_url(finding) -> str:
    return reverse("admin:targets_finding_change", args=[finding.pk])


def loop_url(finding, kind) -> str:
    return reverse("admin:targets_finding_loop", args=[finding.pk, kind])


def reply_url(reply, decision) -> str:
    return reverse("admin:targets_finding_reply", args=[reply.finding_id, reply.pk, decision])


@pytest.fixture
def own_finding(plan, departments):
    return make_finding(AmountGoalFactory(plan=plan, code="P-A", lead_department=departments["alpha"]))


@pytest.fixture
def other_finding(plan, departments):
    return make_finding(TargetFactory(plan=plan, code="G-B", lead_department=departments["beta"]))


def test_a_unit_replies_in_writing_and_staff_send_it_back_then_accept(client, unit_user, staff_user, own_finding):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    data = add_inline_row(changeform_data(page), page, FindingReply, text="已约谈施工单位，增加作业面")
    assert client.post(change_url(own_finding), data).status_code == 302
    reply = own_finding.replies.get()
    assert (reply.submitted_by, reply.state) == (unit_user, "pending")
    assert client.post(reply_url(reply, "accept")).status_code == 403  # a unit never reviews

    client.force_login(staff_user)
    page = client.get(change_url(own_finding))
    assert reply_url(reply, "accept").encode() in page.content
    response = client.post(reply_url(reply, "return"), {"post": "yes", "note": ""})
    assert response.status_code == 200  # the note is required
    reply.refresh_from_db()
    assert reply.state == "pending"
    response = client.post(reply_url(reply, "return"), {"post": "yes", "note": "请附整改前后照片"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.state, reply.review_comment, reply.reviewed_by) == ("returned", "请附整改前后照片", staff_user)

    second = followup.submit_reply(own_finding, "照片已上传", unit_user)
    assert client.post(reply_url(second, "accept")).status_code == 302
    second.refresh_from_db()
    assert second.state == "accepted"

    page = client.get(change_url(own_finding))
    assert "请附整改前后照片" in page.content.decode()  # on the timeline


def test_a_unit_cannot_reply_to_another_units_finding(client, unit_user, other_finding):
    client.force_login(unit_user)
    page = client.get(change_url(other_finding))
    assert not any(i.formset.model is FindingReply and i.has_add_permission for i in page.context["inline_admin_formsets"])
    data = changeform_data(page)
    data.update({"replies-TOTAL_FORMS": "1", "replies-INITIAL_FORMS": "0", "replies-0-text": "伪造的回复"})
    client.post(change_url(other_finding), data)
    assert not FindingReply.objects.exists()


def test_staff_send_a_closure_request_back(client, unit_user, staff_user, own_finding):
    findings.record_measures(own_finding, "已开工", unit_user)
    findings.request_closure(own_finding, unit_user)
    client.force_login(unit_user)
    assert client.post(loop_url(own_finding, "return-closure"), {"note": "x"}).status_code == 403

    client.force_login(staff_user)
    assert loop_url(own_finding, "return-closure").encode() in client.get(change_url(own_finding)).content
    response = client.post(loop_url(own_finding, "return-closure"), {"note": "现场核查未完成"})
    assert response.status_code == 302
    own_finding.refresh_from_db()
    assert own_finding.state == "in_progress"


def test_staff_reopen_and_record_a_recheck(client, staff_user, unit_user, own_finding, other_finding, time_machine):
    time_machine.move_to(dt.datetime(2023, 11, 1, 9, tzinfo=dt.UTC), tick=False)
    findings.close_out(own_finding, staff_user, "已核验", on=D(2023, 7, 20))
    findings.close_out(other_finding, staff_user, "已核验", on=D(2023, 10, 20))

    client.force_login(staff_user)
    due = client.get(reverse("admin:targets_finding_changelist") + "?recheck=due&state=all")
    assert list(due.context["cl"].result_list) == [own_finding]  # 07-20 + 90 days ≤ 11-01; 10-20 is not yet
    assert loop_url(own_finding, "recheck").encode() in client.get(change_url(own_finding)).content

    response = client.post(loop_url(own_finding, "recheck"), {"result": "relapsed", "note": "回头看：再次滞后"})
    assert response.status_code == 302
    own_finding.refresh_from_db()
    assert (own_finding.state, own_finding.level, own_finding.reopen_count) == ("open", 2, 1)

    response = client.post(loop_url(other_finding, "recheck"), {"result": "move", "note": "延后", "new_date": "2024-03-01"})
    assert response.status_code == 302
    other_finding.refresh_from_db()
    assert other_finding.recheck_due == D(2024, 3, 1)

    client.force_login(unit_user)
    assert client.post(loop_url(other_finding, "reopen"), {"note": "单位想重开"}).status_code == 403
    client.force_login(staff_user)
    assert client.post(loop_url(other_finding, "reopen"), {"note": ""}).status_code == 200
    assert client.post(loop_url(other_finding, "reopen"), {"note": "群众投诉"}).status_code == 302
    assert Finding.objects.get(pk=other_finding.pk).state == "open"


def test_staff_set_the_recheck_delay_on_the_plan_page(client, staff_user, plan):
    client.force_login(staff_user)
    page = client.get(reverse("admin:targets_plan_change", args=[plan.pk]))
    assert page.context["adminform"].form.initial["recheck_days"] == 90
    assert b'name="recheck_days"' in page.content
