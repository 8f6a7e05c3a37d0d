"""The weekly digest: who gets what, worst first, empty digests skipped, dry run, undeliverable listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.digests import gather, iso_week, send_digests
from notifications.models import Delivery, DeliveryKind, DeliveryStatus
from notifications.tests.scenario import MONDAY, D, build, make_project

pytestmark = pytest.mark.django_db


def by_recipient():
    return {tuple(m.to): m for m in mail.outbox}


def test_it_uses_iso_week_keys():
    assert (iso_week(D(2023, 7, 10)), iso_week(D(2023, 7, 16)), iso_week(D(2024, 12, 30))) == ("2023-W28", "2023-W28", "2025-W01")


def test_it_sends_the_unit_the_leader_and_staff_one_digest_each(staff):
    build()

    summary = send_digests(MONDAY)

    assert sorted(by_recipient()) == [("leader@example.com",), ("p1@example.com",), ("staff@example.com",)]
    assert (summary.sent, summary.undeliverable, summary.empty) == (3, 1, 1)  # P2's contact has no address, P3 is green
    kinds = dict(Delivery.objects.values_list("address", "kind"))
    assert kinds["p1@example.com"] == DeliveryKind.DIGEST_UNIT
    assert kinds["leader@example.com"] == DeliveryKind.DIGEST_LEADER
    assert kinds["staff@example.com"] == DeliveryKind.DIGEST_STAFF
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


def test_it_lists_the_unit_s_red_item_with_its_gap_finding_and_admin_link(staff, settings):
    settings.SITE_URL = "https://duban.example.gov.cn"
    _plan, _leader, projects = build()

    send_digests(MONDAY)

    message = by_recipient()[("p1@example.com",)]
    assert message.subject == "【督办周报】2023-W28 本单位：红灯 1 个，黄灯 0 个"
    assert "[红灯] P1" in message.body
    assert "万元" in message.body  # the gap, as the plan states money
    assert f"https://duban.example.gov.cn/admin/projects/project/{projects['P1'].pk}/change/" in message.body
    assert "一级（提醒）" in message.body
    # Item codes as listed ("] P2"), not anywhere: the unsubscribe link's signature may contain "P2".
    assert "] P2" not in message.body
    assert "] P3" not in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    assert f'href="https://duban.example.gov.cn/admin/projects/project/{projects["P1"].pk}/change/"' in html.content


def test_it_puts_red_before_yellow_in_the_leader_s_digest(staff):
    build()

    send_digests(MONDAY)

    body = by_recipient()[("leader@example.com",)].body
    assert body.index("[红灯] P1") < body.index("[黄灯] P2")
    assert "P3" not in body  # green: only what needs attention


def test_it_lists_recipients_without_an_address_as_undeliverable_to_staff(staff):
    build()

    send_digests(MONDAY)

    staff_mail = by_recipient()[("staff@example.com",)]
    assert "无法送达" in staff_mail.body
    assert "P2联系人（单位联络人）" in staff_mail.body
    assert "红灯 1 个" in staff_mail.body
    assert "黄灯 1 个" in staff_mail.body
    row = Delivery.objects.get(status=DeliveryStatus.UNDELIVERABLE)
    assert (row.recipient.name, row.address, row.kind) == ("P2联系人", "", DeliveryKind.DIGEST_UNIT)


def test_it_sends_nothing_when_nothing_needs_attention(staff):
    from targets.engine.supervision import supervise
    from targets.models import Person
    from targets.tests.factories import PlanFactory

    plan = PlanFactory(year=2023)
    make_project(plan, "P3", 100, leader=Person.objects.create(name="领导", email="l@example.com"))
    supervise(plan, MONDAY)

    summary = send_digests(MONDAY)

    assert mail.outbox == []
    assert Delivery.objects.count() == 0
    assert summary.empty == 3  # the contact, the leader and the staff summary


def test_it_never_sends_a_week_twice_but_sends_the_next_week(staff):
    build()
    send_digests(MONDAY)
    assert len(mail.outbox) == 3

    again = send_digests(D(2023, 7, 13))  # a re-run later in the same ISO week
    assert (len(mail.outbox), again.sent, again.skipped) == (3, 0, 3)

    send_digests(D(2023, 7, 17))
    assert len(mail.outbox) == 6


def test_it_catches_up_a_missed_monday_once(staff):
    build()

    send_digests(D(2023, 7, 12))  # beat was down on Monday: the Wednesday run sends the week
    send_digests(D(2023, 7, 14))

    assert len(mail.outbox) == 3
    assert set(Delivery.objects.values_list("period", flat=True)) == {"2023-W28"}


def test_dry_run_prints_who_would_get_what_and_sends_nothing(staff, capsys):
    build()

    call_command("send_digests", "--as-of", "2023-07-10", "--dry-run")

    out = capsys.readouterr().out
    assert "digest_unit" in out
    assert "p1@example.com" in out
    assert "无法送达" in out
    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_the_task_sends_today_s_week(staff):
    from notifications.tasks import send_digests_task

    build()
    line = send_digests_task.delay(as_of="2023-07-10").get()
    assert "sent 3" in line


def test_it_gathers_the_week_in_a_number_of_queries_independent_of_the_items(staff):
    plan, leader, _projects = build()
    with CaptureQueriesContext(connection) as small:
        gather(MONDAY)
    for n in range(4, 10):
        make_project(plan, f"Q{n}", 20, leader=leader)
    from targets.engine.supervision import supervise

    supervise(plan, MONDAY)
    with CaptureQueriesContext(connection) as large:
        week = gather(MONDAY)
    assert len(week.items) > 2
    assert len(large) == len(small)


def test_rendering_makes_no_queries(staff):
    from notifications.digests import build_digest, person_digest

    _plan, leader, _projects = build()
    week = gather(MONDAY)
    person = week.leaders[leader.pk]
    ctx = person_digest(week, person, "leader")
    with CaptureQueriesContext(connection) as queries:
        build_digest(week, person, ctx, DeliveryKind.DIGEST_LEADER)
    assert len(queries) == 0


def test_beat_runs_the_digests_on_mondays_at_0830_shanghai_and_the_notices_daily():
    from django_celery_beat.models import PeriodicTask

    digests = PeriodicTask.objects.get(task="notifications.send_digests")
    notices = PeriodicTask.objects.get(task="notifications.send_notices")
    c = digests.crontab
    assert (c.minute, c.hour, c.day_of_week, str(c.timezone), digests.enabled) == ("30", "8", "1", "Asia/Shanghai", True)
    assert (notices.crontab.hour, notices.crontab.minute, notices.crontab.day_of_week) == ("7", "45", "*")


def test_it_sends_each_recipient_in_the_same_number_of_queries(staff):
    from targets.engine.supervision import supervise

    plan, leader, _projects = build(evaluate=False)
    statements, made = [], 0
    for week, extra in enumerate([0, 3, 6]):
        for n in range(made, extra):
            make_project(plan, f"R{n}", 30, leader=leader)
        made = extra
        day = MONDAY + dt.timedelta(weeks=week)
        supervise(plan, day)
        with CaptureQueriesContext(connection) as queries:
            summary = send_digests(day)
        statements.append((summary.sent, len(queries)))
    (s0, q0), (s1, q1), (s2, q2) = statements
    assert (s1 - s0, s2 - s1) == (3, 3)
    assert q2 - q1 == q1 - q0  # a fixed number of queries per extra recipient


def test_staff_see_the_rechecks_due_this_week(staff, django_user_model):
    from targets import findings
    from targets.models import Finding

    build()
    finding = Finding.objects.get(item__code="P1")
    findings.close_out(finding, None, "已核验", on=D(2023, 4, 12))  # 回头看 90 days later: 2023-07-11

    send_digests(MONDAY)

    staff_mail = by_recipient()[("staff@example.com",)]
    assert "回头看：本周到期（1 项）" in staff_mail.body
    assert "2023-04-12 销号，2023-07-11 回头看" in staff_mail.body
    assert "回头看" not in by_recipient()[("p1@example.com",)].body


def test_it_shows_staff_the_findings_awaiting_confirmation_and_marks_them_for_the_unit(staff, staff_user):
    from targets import findings
    from targets.models import Finding

    build()  # P1 red on 07-10: an automatic finding, not yet confirmed

    send_digests(MONDAY)

    staff_body = by_recipient()[("staff@example.com",)].body
    assert "待确认 1 个" in staff_body
    assert "P1" in staff_body.split("待确认 1 个", 1)[1]
    assert "已等待 0 天" in staff_body
    assert "一级（提醒）（待确认）" in by_recipient()[("p1@example.com",)].body

    mail.outbox.clear()
    Delivery.objects.all().delete()
    findings.confirm(Finding.objects.get(), staff_user)
    send_digests(MONDAY)
    assert "待确认" not in by_recipient()[("staff@example.com",)].body
    assert "待确认" not in by_recipient()[("p1@example.com",)].body


def test_it_tells_the_unit_why_a_report_was_returned_and_staff_what_awaits_review(staff):
    from targets.models import ProgressReport

    _plan, _leader, projects = build()
    june = ProgressReport.objects.get(item=projects["P1"], as_of=D(2023, 6, 30))
    ProgressReport.objects.filter(pk=june.pk).update(review_state="returned", review_comment="与统计局口径不一致")
    ProgressReport.objects.filter(item=projects["P2"], as_of=D(2023, 6, 30)).update(review_state="submitted")

    send_digests(MONDAY)

    unit_body = by_recipient()[("p1@example.com",)].body
    assert "被退回的进度报送（1 份" in unit_body
    assert "P1" in unit_body.split("被退回的进度报送", 1)[1]
    assert "与统计局口径不一致" in unit_body
    assert "待审核的进度报送 1 份" in by_recipient()[("staff@example.com",)].body
