"""The supervision run: snapshots, colour changes, findings, escalation, catch-up, exactly-once.

An amount goal (the engine's generic item, judged against its checkpoints as a register project is)
with a linear monthly plan (annual 1,200 万元: 100 a month, January reported with
February) is judged on its monthly reports; its numbers are chosen so the colour is obvious.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from targets import findings
from targets.engine.supervision import dates_to_evaluate, supervise
from targets.models import Escalation, Finding, Milestone, Person, ProgressReport, StatusEvent, StatusSnapshot, SupervisionRun
from targets.tests.factories import AmountGoalFactory, CheckpointFactory, PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def month_ends(year: int = 2023) -> list[dt.date]:
    return [D(year, m + 1, 1) - dt.timedelta(days=1) if m < 12 else D(year, 12, 31) for m in range(2, 13)]


@pytest.fixture(autouse=True)
def _late_in_2024(time_machine):
    # Reports and milestone dates of 2023 are all in the past.
    time_machine.move_to(dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def plan():
    return PlanFactory(year=2023)


def make_project(plan, code="P1", **kwargs):
    contact = Person.objects.create(name=f"{code}联系人", email=f"{code.lower()}@example.com")
    leader = Person.objects.create(name=f"{code}领导", email=f"{code.lower()}-leader@example.com", is_leader=True)
    project = AmountGoalFactory(
        plan=plan, code=code, target_value=Decimal("1200"), contact=contact, responsible_leader=leader, **kwargs
    )
    contact.department = project.lead_department
    contact.save()
    for month_end in month_ends():
        CheckpointFactory(item=project, date=month_end, expected_value=Decimal(100 * month_end.month))
    return project


def confirm(finding, user, on: dt.date) -> bool:
    """Staff confirm a provisional finding at 09:00 on a day (Asia/Shanghai)."""
    return findings.confirm(finding, user, at=dt.datetime.combine(on, dt.time(9), tzinfo=SHANGHAI))


def report(project, as_of, value, problems=""):
    ProgressReport.objects.create(item=project, as_of=as_of, value=Decimal(value), problems=problems)


def monthly(project, through_month: int, per_month: int) -> None:
    """Cumulative reports at every month end from February (January is reported with it)."""
    for month_end in month_ends():
        if month_end.month <= through_month:
            report(project, month_end, per_month * month_end.month)


def snapshot(project, date):
    return StatusSnapshot.objects.get(item=project, date=date)


def test_it_stores_a_snapshot_for_every_item_on_the_date(plan):
    on_track, behind = make_project(plan, "P1"), make_project(plan, "P2")
    for month_end in month_ends()[:5]:  # February to June
        report(on_track, month_end, 100 * month_end.month)
        report(behind, month_end, 30 * month_end.month)

    summary = supervise(plan, D(2023, 7, 10))

    assert (snapshot(on_track, D(2023, 7, 10)).status, snapshot(behind, D(2023, 7, 10)).status) == ("green", "red")
    s = snapshot(behind, D(2023, 7, 10))
    assert (s.expected, s.actual, s.ratio, s.judged_on) == (Decimal("600.00"), Decimal("180.00"), Decimal("0.30"), D(2023, 6, 30))
    assert summary.items == 2
    assert summary.counts == {"green": 1, "red": 1}
    run = SupervisionRun.objects.get(plan=plan, as_of=D(2023, 7, 10))
    assert (run.items, run.counts, run.opened) == (2, {"green": 1, "red": 1}, 1)


def test_it_opens_one_finding_for_a_red_item_with_who_answers_for_it(plan):
    project = make_project(plan)
    monthly(project, 5, 30)
    report(project, D(2023, 6, 30), 180, problems="政策处理未完成")

    supervise(plan, D(2023, 7, 10))

    finding = Finding.objects.get()
    assert (finding.item_id, finding.cause, finding.state, finding.level) == (project.pk, "red", "open", 1)
    assert (finding.department, finding.contact, finding.responsible_leader) == (
        project.lead_department,
        project.contact,
        project.responsible_leader,
    )
    assert (finding.expected, finding.actual, finding.light_when_found) == (Decimal("600.00"), Decimal("180.00"), "red")
    assert finding.problems == "政策处理未完成"
    assert finding.deadline > D(2023, 7, 10)
    escalation = Escalation.objects.get()
    assert (escalation.level, [r["name"] for r in escalation.recipients]) == (1, ["P1联系人"])


def test_it_leaves_the_same_rows_when_run_again_for_the_date(plan):
    project = make_project(plan)
    monthly(project, 5, 100)
    supervise(plan, D(2023, 6, 10))
    report(project, D(2023, 6, 30), 200)

    supervise(plan, D(2023, 7, 10))
    rows = lambda: (  # noqa: E731
        list(StatusSnapshot.objects.order_by("pk").values_list("pk", "status")),
        list(StatusEvent.objects.order_by("pk").values_list("pk", "old_status", "new_status")),
        list(Finding.objects.order_by("pk").values_list("pk", "state", "level")),
        list(Escalation.objects.order_by("pk").values_list("pk", "level")),
    )
    first = rows()
    supervise(plan, D(2023, 7, 10))
    call_command("supervise", "--as-of", "2023-07-10", "--plan", "2023", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert rows() == first
    assert StatusEvent.objects.get().new_status == "red"
    assert Finding.objects.count() == 1


def test_it_records_each_colour_change_once(plan):
    project = make_project(plan)
    monthly(project, 5, 100)
    supervise(plan, D(2023, 6, 10))
    supervise(plan, D(2023, 6, 11))
    assert not StatusEvent.objects.exists()

    report(project, D(2023, 6, 30), 200)
    supervise(plan, D(2023, 7, 10))

    event = StatusEvent.objects.get()
    # The catch-up evaluated June 30 first, when June's report was already in.
    assert (event.item_id, event.date, event.old_status, event.new_status) == (project.pk, D(2023, 6, 30), "green", "red")


def test_it_opens_a_finding_when_yellow_at_two_consecutive_month_ends(plan):
    project = make_project(plan)
    monthly(project, 7, 80)  # 0.80 of the plan every month

    supervise(plan, D(2023, 6, 30))  # June's report is in, so June is judged
    assert snapshot(project, D(2023, 6, 30)).status == "yellow"
    assert not Finding.objects.exists()  # no month-end evaluation before it
    supervise(plan, D(2023, 7, 31))

    assert snapshot(project, D(2023, 7, 31)).status == "yellow"
    assert list(Finding.objects.values_list("cause", flat=True)) == ["yellow_twice"]


def test_it_opens_a_finding_for_a_missed_start_milestone(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 100)
    start = Milestone.objects.create(item=project, title="开工", kind="start", planned_date=D(2023, 5, 15))
    Milestone.objects.create(item=project, title="结顶", kind="topping_out", planned_date=D(2023, 5, 15))

    supervise(plan, D(2023, 7, 10))

    finding = Finding.objects.get()
    assert (finding.cause, finding.milestone_id, finding.days_overdue) == ("milestone_missed", start.pk, 56)
    assert snapshot(project, D(2023, 7, 10)).status == "yellow"  # under three months late
    confirm(finding, staff_user, D(2023, 7, 11))

    Milestone.objects.filter(pk=start.pk).update(actual_date=D(2023, 7, 20))
    supervise(plan, D(2023, 7, 21))
    finding.refresh_from_db()
    assert (finding.state, finding.ready_to_close) == ("open", True)


def test_it_marks_a_finding_ready_to_close_but_never_closes_it(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    confirm(Finding.objects.get(), staff_user, D(2023, 7, 10))
    report(project, D(2023, 7, 31), 800)

    supervise(plan, D(2023, 8, 10))

    finding = Finding.objects.get()
    assert (finding.state, finding.ready_to_close) == ("open", True)


def test_it_reopens_the_closed_finding_when_the_item_lags_again(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    first = Finding.objects.get()
    confirm(first, staff_user, D(2023, 7, 10))
    findings.close_out(first, staff_user, "现场核验，已补报投资", on=D(2023, 7, 10))
    supervise(plan, D(2023, 7, 11))
    assert Finding.objects.count() == 1  # closed stays closed, and nothing reopens on the same lag…

    first.refresh_from_db()
    assert first.state == "closed"
    report(project, D(2023, 7, 31), 800)
    supervise(plan, D(2023, 8, 10))  # back on track
    report(project, D(2023, 8, 31), 300)
    supervise(plan, D(2023, 9, 10))

    # A relapse reopens the closed finding (issue 12), one level higher, rather than opening a new one.
    assert Finding.objects.get().pk == first.pk
    first.refresh_from_db()
    # Reopened at the missed month end the run caught up first; the relapse raised it to level 2, and
    # still red after that month end takes it to 3 like any finding.
    assert (first.state, first.reopened_on, first.reopen_count, first.level) == ("open", D(2023, 8, 31), 1, 3)
    assert Escalation.objects.get(finding=first, level=2).date == D(2023, 8, 31)
    assert first.events.filter(kind="relapsed").count() == 1


def test_it_escalates_after_14_and_28_days_to_the_unit_head_and_the_leader(plan, staff_user):
    project = make_project(plan)
    head = Person.objects.create(name="单位负责人", email="head@example.com", department=project.lead_department)
    project.lead_department.head = head
    project.lead_department.save()
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    confirm(Finding.objects.get(), staff_user, D(2023, 7, 10))

    supervise(plan, D(2023, 7, 24))
    assert Finding.objects.get().level == 2
    supervise(plan, D(2023, 8, 7))

    levels = {e.level: [r["name"] for r in e.recipients] for e in Escalation.objects.all()}
    assert levels == {1: ["P1联系人"], 2: ["P1联系人", "单位负责人"], 3: ["P1联系人", "单位负责人", "P1领导"]}
    assert Finding.objects.get().level == 3


def test_it_catches_up_the_month_ends_it_missed(plan):
    project = make_project(plan)
    monthly(project, 4, 100)
    supervise(plan, D(2023, 5, 10))

    assert dates_to_evaluate(plan, D(2023, 8, 10)) == [D(2023, 5, 31), D(2023, 6, 30), D(2023, 7, 31), D(2023, 8, 10)]
    summary = supervise(plan, D(2023, 8, 10))

    assert summary.dates == [D(2023, 5, 31), D(2023, 6, 30), D(2023, 7, 31), D(2023, 8, 10)]
    assert set(StatusSnapshot.objects.values_list("date", flat=True)) == {D(2023, 5, 10), *summary.dates}


def test_it_changes_nothing_when_the_run_fails(plan, monkeypatch):
    project = make_project(plan)
    monthly(project, 6, 30)

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(findings, "maintain", broken)
    with pytest.raises(RuntimeError):
        supervise(plan, D(2023, 7, 10))

    assert not StatusSnapshot.objects.exists()
    assert not SupervisionRun.objects.exists()


# --- Escalation follows confirmation (docs/findings.md) ----------------------------------------------


def levels_reached() -> set[int]:
    return set(Escalation.objects.values_list("level", flat=True))


def test_an_unconfirmed_finding_stays_at_the_reminder_whatever_the_days(plan):
    project = make_project(plan)
    monthly(project, 6, 30)
    for day in (D(2023, 7, 10), D(2023, 7, 24), D(2023, 8, 7), D(2023, 9, 10)):
        supervise(plan, day)

    finding = Finding.objects.get()
    assert (finding.state, finding.level, finding.confirmed_at) == ("open", 1, None)
    assert levels_reached() == {1}  # opened with its reminder (digest only), never warned or escalated


def test_a_late_confirmation_starts_the_ladder_and_the_deadline_from_that_day(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    finding = Finding.objects.get()
    assert finding.deadline == D(2023, 7, 24)  # 10 working days

    assert confirm(finding, staff_user, D(2023, 7, 17))
    assert not confirm(finding, staff_user, D(2023, 7, 18))  # once
    finding.refresh_from_db()
    assert finding.deadline == D(2023, 7, 31)  # 10 working days from the confirmation

    supervise(plan, D(2023, 7, 28))  # 18 days open, 11 since confirmed, deadline not passed
    assert levels_reached() == {1}
    supervise(plan, D(2023, 7, 31))  # 14 days since confirmed
    assert levels_reached() == {1, 2}
    assert Escalation.objects.get(level=2).date == D(2023, 7, 31)


def test_an_unconfirmed_finding_is_withdrawn_when_the_item_recovers(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    draft = Finding.objects.get()
    report(project, D(2023, 7, 31), 800)  # caught up

    supervise(plan, D(2023, 8, 10))  # evaluates the missed month end 07-31 first: green there

    draft.refresh_from_db()
    assert (draft.state, draft.closed_on, draft.ready_to_close) == ("withdrawn", D(2023, 7, 31), False)
    assert "2023-07-31" in draft.dismissed_reason
    assert draft.history.first().state == "withdrawn"  # audited

    report(project, D(2023, 8, 31), 400)  # behind again: July was over-reported (800 expected by now)
    supervise(plan, D(2023, 9, 10))
    again = Finding.objects.exclude(pk=draft.pk).get()  # a withdrawn draft does not hold it back
    assert (again.state, again.previous_id, again.confirmed_at) == ("open", draft.pk, None)


def test_a_confirmed_finding_is_never_withdrawn(plan, staff_user):
    project = make_project(plan)
    monthly(project, 6, 30)
    supervise(plan, D(2023, 7, 10))
    confirm(Finding.objects.get(), staff_user, D(2023, 7, 10))
    report(project, D(2023, 7, 31), 800)
    supervise(plan, D(2023, 8, 10))
    assert Finding.objects.values_list("state", "ready_to_close").get() == ("open", True)
