"""Report reminders follow each goal's own calendar (issue 10, targets.engine.judging): a quarterly figure
published 20 days after the quarter is reminded before its own due date and quotes it; a monthly
figure keeps the 5th and its ledger key (no mail is sent again); a retry never sends twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from notifications.models import Delivery, DeliveryKind
from notifications.notices import send_report_reminders
from targets.engine import judging
from targets.models import Person, ProgressReport
from targets.tests.factories import DepartmentFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def goals():
    """G44-like: 400亿元 from quarterly statistics published 20 days after the quarter (Q1 due 20 April);
    M01: a monthly goal (March due 5 April); A01: annual statistics published 31 days after the year."""
    plan = PlanFactory(year=2023)
    unit = DepartmentFactory(name="金融区管委会")
    unit.head = Person.objects.create(name="单位负责人", email="head@example.com", department=unit)
    unit.save()
    contact = Person.objects.create(name="统计联系人", email="stats@example.com", department=unit)
    common = {"plan": plan, "lead_department": unit, "contact": contact, "judging_kind": "cumulative"}
    quarterly = TargetFactory(
        code="G44", metric_kind="amount", target_value=Decimal("4000000"), cadence="quarterly", publication_lag_days=20, **common
    )
    monthly = TargetFactory(code="M01", cadence="monthly", **common)
    annual = TargetFactory(code="A01", cadence="annual", publication_lag_days=31, **common)
    return plan, contact, quarterly, monthly, annual


def keys() -> set[str]:
    return set(Delivery.objects.values_list("key", flat=True))


def file_march(monthly) -> None:
    """M01's March report is in: the monthly late reminder (6 to 30 April) stays out of the way."""
    ProgressReport.objects.create(item=monthly, as_of=D(2023, 3, 31), value=Decimal("25"))


def test_the_quarterly_due_date_comes_from_the_judging_calendar(goals):
    _plan, _contact, _quarterly, _monthly, _annual = goals
    [q1] = [p for p in judging.points("quarterly", D(2023, 1, 1), D(2023, 12, 31), 5, 20) if p.date == D(2023, 3, 31)]
    assert q1.due == D(2023, 4, 20)
    assert not judging.is_monthly_due(q1, 5)
    # The first reminder two days before (18 April, a Tuesday), the second on the next working day.
    assert judging.reminder_dates(q1.due, 2) == (D(2023, 4, 18), D(2023, 4, 20), D(2023, 4, 21))


def test_the_monthly_reminder_is_unchanged_and_leaves_the_quarterly_goal_out(goals):
    _plan, contact, _quarterly, _monthly, _annual = goals

    send_report_reminders(D(2023, 4, 3))

    [message] = mail.outbox
    assert message.subject == "【报送提醒】2023年3月进展月报：1 个事项请于 4月5日 前报送"
    assert "M01" in message.body
    assert "G44" not in message.body
    assert keys() == {f"{DeliveryKind.REMINDER}:{contact.pk}:2023-03"}  # the key monthly reminders always had


def test_the_quarterly_goal_is_reminded_before_its_lagged_due_date_quoting_it(goals):
    _plan, contact, _quarterly, monthly, _annual = goals
    file_march(monthly)
    assert send_report_reminders(D(2023, 4, 17)).sent == 0  # the 20th is not near yet

    first = send_report_reminders(D(2023, 4, 18))
    again = send_report_reminders(D(2023, 4, 18))  # a retried task
    later = send_report_reminders(D(2023, 4, 20))

    assert (first.sent, again.sent, later.sent) == (1, 0, 0)
    [message] = mail.outbox
    assert message.subject == "【报送提醒】截至2023年3月31日的统计数据：1 个事项请于 4月20日 前报送"
    assert "G44" in message.body
    assert "4月20日" in message.body
    assert "4月5日" not in message.body
    assert "M01" not in message.body
    assert keys() == {f"{DeliveryKind.REMINDER}:{contact.pk}:2023-03:2023-04-20"}


def test_the_quarterly_goal_is_reminded_after_its_due_date_once_copied_to_the_unit_head(goals):
    file_march(goals[3])
    send_report_reminders(D(2023, 4, 18))

    send_report_reminders(D(2023, 4, 21))
    send_report_reminders(D(2023, 4, 24))

    assert len(mail.outbox) == 2
    late = mail.outbox[1]
    assert (late.to, late.cc) == (["stats@example.com"], ["head@example.com"])
    assert late.subject == "【逾期未报】截至2023年3月31日的统计数据：1 个事项已逾期"
    assert "4月20日" in late.body


def test_a_figure_filed_under_any_month_of_the_quarter_stops_the_reminder(goals):
    _plan, _contact, quarterly, monthly, _annual = goals
    file_march(monthly)
    ProgressReport.objects.create(item=quarterly, as_of=D(2023, 2, 28), value=Decimal("900000"))

    assert send_report_reminders(D(2023, 4, 18)).sent == 0
    assert mail.outbox == []


def test_the_annual_figure_is_reminded_in_the_next_year_before_its_own_due_date(goals):
    _plan, contact, _quarterly, _monthly, annual = goals
    ProgressReport.objects.create(item=annual, as_of=D(2023, 6, 30), value=Decimal("50"))  # an in-year figure is not the year's

    send_report_reminders(D(2024, 1, 29))

    subjects = sorted(m.subject for m in mail.outbox)
    assert "【报送提醒】截至2023年12月31日的统计数据：1 个事项请于 1月31日 前报送" in subjects
    assert f"{DeliveryKind.REMINDER}:{contact.pk}:2023-12:2024-01-31" in keys()
