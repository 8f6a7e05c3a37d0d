"""Escalation notices (levels 2 and 3, once per finding, level and person) and monthly report reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Delivery, DeliveryKind, DeliveryStatus, Preference
from notifications.notices import reminder_dates, send_escalation_notices, send_report_reminders
from notifications.tests.scenario import D, make_project
from targets import findings
from targets.engine.supervision import supervise
from targets.models import Finding, Person, ProgressReport
from targets.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated():
    """P1 red from 10 July: level 2 on 24 July (unit head told), level 3 on 7 August (leader told)."""
    plan = PlanFactory(year=2023)
    leader = Person.objects.create(name="包干领导", email="leader@example.com", is_leader=True)
    project = make_project(plan, "P1", 30, leader=leader)
    head = Person.objects.create(name="单位负责人", email="head@example.com", department=project.lead_department)
    project.lead_department.head = head
    project.lead_department.save()
    supervise(plan, D(2023, 7, 10))
    # Staff confirm the automatic finding the day it opens: escalation follows confirmation.
    for finding in Finding.objects.all():
        findings.confirm(finding, None, at=dt.datetime(2023, 7, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    return plan, project


def test_it_notifies_level_2_to_the_contact_and_the_unit_head_once(escalated):
    plan, _project = escalated
    assert send_escalation_notices(D(2023, 7, 10)).sent == 0  # level 1 is in the digest, not a notice
    supervise(plan, D(2023, 7, 24))

    first = send_escalation_notices(D(2023, 7, 24))
    again = send_escalation_notices(D(2023, 7, 25))

    assert sorted(m.to[0] for m in mail.outbox) == ["head@example.com", "p1@example.com"]
    assert (first.sent, again.sent, again.skipped) == (2, 0, 2)
    message = mail.outbox[0]
    assert message.subject.startswith("【督办警示】P1")
    assert "二级（警示）" in message.subject
    assert "/admin/targets/finding/" in message.body
    assert message.extra_headers.get("List-Unsubscribe") is None  # statutory: no unsubscribe
    assert set(Delivery.objects.values_list("level", "kind")) == {(2, DeliveryKind.ESCALATION)}


def test_it_notifies_level_3_to_the_leader_too(escalated):
    plan, _project = escalated
    supervise(plan, D(2023, 7, 24))
    send_escalation_notices(D(2023, 7, 24))
    supervise(plan, D(2023, 8, 7))

    send_escalation_notices(D(2023, 8, 7))

    level_3 = sorted(m.to[0] for m in mail.outbox[2:])
    assert level_3 == ["head@example.com", "leader@example.com", "p1@example.com"]
    assert all(m.subject.startswith("【督办令】") for m in mail.outbox[2:])


def test_a_statutory_notice_goes_to_the_delegate_and_cannot_be_muted(escalated):
    plan, project = escalated
    deputy = Person.objects.create(name="代理人", email="deputy@example.com")
    Preference.objects.create(person=project.lead_department.head, delegate=deputy, digest_muted=True)
    supervise(plan, D(2023, 7, 24))

    send_escalation_notices(D(2023, 7, 24))

    assert sorted(m.to[0] for m in mail.outbox) == ["deputy@example.com", "p1@example.com"]
    assert "受 单位负责人 委托转送" in next(m for m in mail.outbox if m.to == ["deputy@example.com"]).body


def test_the_command_sends_notices_and_reminders(escalated, capsys):
    plan, _project = escalated
    supervise(plan, D(2023, 7, 24))

    call_command("send_notices", "--as-of", "2023-07-24")

    out = capsys.readouterr().out
    assert "escalation notices: sent 2" in out
    assert "report reminders" in out


# --- report reminders ---------------------------------------------------------------------------


def test_reminder_dates_are_the_3rd_and_the_6th_moved_to_working_days():
    # July 2023: the 3rd (Monday) and the 6th (Thursday) are working days.
    assert reminder_dates(D(2023, 6, 1), 5) == (D(2023, 7, 3), D(2023, 7, 5), D(2023, 7, 6))
    # October 2023: holidays from 29 September to 6 October; the 7th and 8th are make-up working days.
    assert reminder_dates(D(2023, 9, 1), 5) == (D(2023, 9, 28), D(2023, 10, 5), D(2023, 10, 7))


@pytest.fixture
def lacking_june():
    """P1 reported through May; the June report (due 5 July) is missing. P2 reported June."""
    plan = PlanFactory(year=2023)
    leader = Person.objects.create(name="包干领导", email="leader@example.com")
    late = make_project(plan, "P1", 100, leader=leader)
    ProgressReport.objects.filter(item=late, period=dt.date(2023, 6, 1)).delete()
    make_project(plan, "P2", 100, leader=leader)
    head = Person.objects.create(name="单位负责人", email="head@example.com")
    late.lead_department.head = head
    late.lead_department.save()
    return late


def test_it_reminds_the_contact_before_the_deadline_once(lacking_june):
    assert send_report_reminders(D(2023, 7, 2)).sent == 0  # not yet

    first = send_report_reminders(D(2023, 7, 3))
    again = send_report_reminders(D(2023, 7, 4))

    assert (first.sent, again.skipped) == (1, 1)
    [message] = mail.outbox
    assert (message.to, message.cc) == (["p1@example.com"], [])
    assert message.subject == "【报送提醒】2023年6月进展月报：1 个事项请于 7月5日 前报送"
    assert "P1" in message.body
    assert "P2" not in message.body


def test_it_reminds_again_after_the_deadline_copied_to_the_unit_head(lacking_june):
    send_report_reminders(D(2023, 7, 3))

    send_report_reminders(D(2023, 7, 6))
    send_report_reminders(D(2023, 7, 7))

    assert len(mail.outbox) == 2
    late = mail.outbox[1]
    assert (late.to, late.cc) == (["p1@example.com"], ["head@example.com"])
    assert late.subject.startswith("【逾期未报】")
    assert set(Delivery.objects.values_list("kind", "period", "status")) == {
        (DeliveryKind.REMINDER, "2023-06", DeliveryStatus.SENT),
        (DeliveryKind.REMINDER_LATE, "2023-06", DeliveryStatus.SENT),
    }


def test_it_sends_no_reminder_once_the_report_is_in(lacking_june):
    ProgressReport.objects.create(item=lacking_june, as_of=D(2023, 6, 30), value=600)

    assert send_report_reminders(D(2023, 7, 3)).sent == 0
    assert mail.outbox == []


def test_it_reminds_before_a_long_holiday_in_the_reported_month(lacking_june):
    send_report_reminders(D(2023, 9, 28))  # the last working day before 国庆; the deadline is 5 October

    periods = set(Delivery.objects.filter(kind=DeliveryKind.REMINDER).values_list("period", flat=True))
    assert periods == {"2023-09"}


def test_no_notice_goes_out_for_a_finding_staff_have_not_confirmed(staff_user):
    plan = PlanFactory(year=2023)
    leader = Person.objects.create(name="包干领导", email="leader@example.com", is_leader=True)
    project = make_project(plan, "P1", 30, leader=leader)
    head = Person.objects.create(name="单位负责人", email="head@example.com", department=project.lead_department)
    project.lead_department.head = head
    project.lead_department.save()
    for day in (D(2023, 7, 10), D(2023, 7, 24), D(2023, 8, 7)):
        supervise(plan, day)
        assert send_escalation_notices(day).sent == 0
    assert not Delivery.objects.exists()

    # Confirmed on 7 August: the unit head hears of it 14 days later, not at once.
    findings.confirm(Finding.objects.get(), staff_user, at=dt.datetime(2023, 8, 7, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    supervise(plan, D(2023, 8, 8))
    assert send_escalation_notices(D(2023, 8, 8)).sent == 0
    supervise(plan, D(2023, 8, 21))
    assert send_escalation_notices(D(2023, 8, 21)).sent == 2  # level 2: the contact and the unit head
    assert sorted(m.to[0] for m in mail.outbox) == ["head@example.com", "p1@example.com"]
