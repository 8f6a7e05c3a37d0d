"""Pure decisions of the finding register, table-driven: escalation follows confirmation, and one
event (one missed milestone, however many items carry it) opens one finding."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from targets.choices import FindingCause, FindingLevel, FindingSource, FindingState, StatusChoice
from targets.engine.facts import ItemStatus, Status
from targets.findings.rules import (
    NOT_READY,
    READY,
    WITHDRAW,
    Owners,
    Want,
    after_recovery,
    back_on_track,
    deadline_on_confirmation,
    lags_only_for_events_found_elsewhere,
    manual_finding,
    manual_initial,
    may_answer,
    may_confirm,
    may_work_on,
    raised_again,
    target_level,
    wanted_findings,
)
from targets.models import Plan

D = dt.date
OPENED = D(2023, 7, 10)
DEADLINE = D(2023, 7, 24)
PLAN = Plan(escalate_warning_days=14, escalate_supervision_days=28)

# (as of, confirmed on, red persists, level reached)
LEVEL_CASES = [
    # Never confirmed (待确认): level 1 for ever, whatever the days, the deadline or a persisting red.
    (D(2023, 7, 24), None, False, FindingLevel.REMINDER),
    (D(2023, 8, 7), None, False, FindingLevel.REMINDER),
    (D(2023, 12, 31), None, True, FindingLevel.REMINDER),
    # Confirmed the day it opened: the ladder as before (14 days or the deadline → 2, 28 days → 3).
    (D(2023, 7, 23), OPENED, False, FindingLevel.REMINDER),
    (D(2023, 7, 24), OPENED, False, FindingLevel.WARNING),
    (D(2023, 8, 7), OPENED, False, FindingLevel.SUPERVISION),
    (D(2023, 7, 11), OPENED, True, FindingLevel.SUPERVISION),
    # Confirmed a week late: the days count from the confirmation, and before it nothing climbs.
    (D(2023, 7, 16), D(2023, 7, 17), True, FindingLevel.REMINDER),
    (D(2023, 7, 30), D(2023, 7, 17), False, FindingLevel.WARNING),  # the deadline (07-24) has passed
    (D(2023, 8, 13), D(2023, 7, 17), False, FindingLevel.WARNING),  # 27 days since confirmation
    (D(2023, 8, 14), D(2023, 7, 17), False, FindingLevel.SUPERVISION),  # 28 days
]


@pytest.mark.parametrize(("as_of", "confirmed_on", "red_persists", "level"), LEVEL_CASES)
def test_a_finding_climbs_the_ladder_only_once_confirmed(as_of, confirmed_on, red_persists, level):
    assert target_level(PLAN, as_of, OPENED, DEADLINE, red_persists, confirmed_on) == level


def test_the_days_count_from_the_confirmation_before_the_deadline():
    late_deadline = D(2023, 7, 31)
    assert target_level(PLAN, D(2023, 7, 30), OPENED, late_deadline, False, D(2023, 7, 17)) == FindingLevel.REMINDER
    assert target_level(PLAN, D(2023, 7, 31), OPENED, late_deadline, False, D(2023, 7, 17)) == FindingLevel.WARNING


def status(status=Status.RED, *, value=Status.GREY, reporting=Status.GREY, overdue=(), missed=(), item_id=1):
    return ItemStatus(
        item_id=item_id,
        as_of=D(2024, 1, 2),
        status=status,
        value_status=value,
        reporting_status=reporting,
        milestone_status=status,
        overdue_milestones=tuple((m, 2) for m in overdue),
        missed_milestones=tuple(missed),
    )


# (the item's status, milestones fulfilled by other items' milestones, covered?)
COVERED_CASES = [
    # Red only because its own start milestone is missed: the milestone finding is the one finding.
    (status(overdue=[7], missed=[7]), set(), True),
    # A goal milestone that a project's milestone fulfils (G23 ← NP03): the project has the finding.
    (status(overdue=[7], missed=[7]), {7}, True),
    # A goal milestone of kind "other" fulfilled by a project (G56 ← NP34): still the project's event.
    (status(overdue=[7]), {7}, True),
    # An overdue "other" milestone of its own, fulfilled by nobody: the red finding is the only one.
    (status(overdue=[7]), set(), False),
    # Two overdue milestones, one not covered: the item's own red finding stays.
    (status(overdue=[7, 8], missed=[7]), set(), False),
    # Behind on its figures or its reports as well: the red finding is about more than the event.
    (status(value=Status.RED, overdue=[7], missed=[7]), {7}, False),
    (status(reporting=Status.YELLOW, overdue=[7], missed=[7]), {7}, False),
    # Red with no overdue milestone at all.
    (status(value=Status.RED), set(), False),
]


@pytest.mark.parametrize(("item", "fulfilled", "covered"), COVERED_CASES)
def test_an_items_lag_is_covered_when_every_overdue_milestone_has_its_finding(item, fulfilled, covered):
    assert lags_only_for_events_found_elsewhere(item, fulfilled) is covered


def causes(wants) -> set[tuple[int, str, int | None]]:
    return {(w.item_id, w.cause, w.milestone_id) for w in wants.values()}


def test_one_missed_event_on_a_goal_and_a_project_opens_one_finding():
    goal = status(item_id=1023, overdue=[102301], missed=[102301])  # G23's start milestone
    project = status(item_id=2003, overdue=[200301], missed=[200301])  # NP03's start, fulfils it
    wants = wanted_findings([goal, project], set(), False, fulfilled={102301})
    assert causes(wants) == {(2003, FindingCause.MILESTONE_MISSED, 200301)}


def test_without_the_link_the_same_statuses_open_a_finding_on_each_item():
    goal = status(item_id=1023, overdue=[102301], missed=[102301])
    project = status(item_id=2003, overdue=[200301], missed=[200301])
    wants = wanted_findings([goal, project], set(), False)
    assert causes(wants) == {
        (1023, FindingCause.MILESTONE_MISSED, 102301),
        (2003, FindingCause.MILESTONE_MISSED, 200301),
    }


def test_an_event_of_kind_other_opens_the_projects_red_finding_only():
    goal = status(item_id=1056, overdue=[105601])  # G56: no start/completion milestone, so no milestone finding
    project = status(item_id=2034, overdue=[203401])  # NP34
    wants = wanted_findings([goal, project], set(), False, fulfilled={105601})
    assert causes(wants) == {(2034, FindingCause.RED, None)}


def test_yellow_twice_is_not_opened_for_a_covered_lag_either():
    item = status(Status.YELLOW, overdue=[7], missed=[7])
    assert causes(wanted_findings([item], {1}, True)) == {(1, FindingCause.MILESTONE_MISSED, 7)}
    behind = status(Status.YELLOW, value=Status.YELLOW)
    assert causes(wanted_findings([behind], {1}, True)) == {(1, FindingCause.YELLOW_TWICE, None)}


# --- after 销号: raised again only when the lag came back after the item recovered ----------------

CLOSED_ON = D(2023, 8, 1)
# (cause, closed on, latest on-track date since, raised again)
AGAIN_CASES = [
    (FindingCause.RED, None, None, True),  # never closed: a new lag
    (FindingCause.RED, CLOSED_ON, None, False),  # closed, never back on track since: the same lag
    (FindingCause.RED, CLOSED_ON, D(2023, 8, 10), True),  # recovered after the close-out, lags again
    (FindingCause.YELLOW_TWICE, CLOSED_ON, D(2023, 7, 30), False),  # recovered only before the close-out
    (FindingCause.MILESTONE_MISSED, CLOSED_ON, D(2023, 8, 10), False),  # an event: closed once for good
    (FindingCause.REPORTING_LAPSE, CLOSED_ON, D(2023, 8, 10), False),
]


@pytest.mark.parametrize(("cause", "closed_on", "recovered_on", "again"), AGAIN_CASES)
def test_a_closed_lag_is_raised_again_only_after_a_recovery(cause, closed_on, recovered_on, again):
    want = Want(1, cause, dataclasses.replace(status(), lapsed_periods=(D(2023, 6, 1),)))
    assert raised_again(want, closed_on, recovered_on) is again


# --- what a run does with an open automatic finding whose item it judged ------------------------

AS_OF = D(2023, 8, 15)
# (cause, back on track, flagged ready, confirmed, opened on, as of, step)
RECOVERY_CASES = [
    (FindingCause.RED, True, False, False, D(2023, 8, 1), AS_OF, WITHDRAW),  # a draft no one took up
    (FindingCause.RED, True, False, False, D(2023, 8, 20), AS_OF, None),  # a re-run of an earlier date
    (FindingCause.RED, True, False, False, D(2023, 8, 1), None, READY),  # no date: never withdrawn
    (FindingCause.REPORTING_LAPSE, True, False, False, D(2023, 8, 1), AS_OF, READY),  # a fact: stays
    (FindingCause.RED, True, False, True, D(2023, 8, 1), AS_OF, READY),  # confirmed: staff verify it
    (FindingCause.RED, True, True, True, D(2023, 8, 1), AS_OF, None),  # already flagged
    (FindingCause.RED, False, True, True, D(2023, 8, 1), AS_OF, NOT_READY),  # lagging again
    (FindingCause.RED, False, False, False, D(2023, 8, 1), AS_OF, None),
]


@pytest.mark.parametrize(("cause", "back", "flagged", "confirmed", "opened_on", "as_of", "step"), RECOVERY_CASES)
def test_a_recovered_item_withdraws_its_draft_or_flags_its_finding(cause, back, flagged, confirmed, opened_on, as_of, step):
    assert after_recovery(cause, back, flagged, confirmed, opened_on, as_of) == step


@pytest.mark.parametrize(
    ("cause", "milestone_id", "item", "back"),
    [
        (FindingCause.RED, None, status(Status.GREEN), True),
        (FindingCause.RED, None, status(Status.YELLOW), False),
        (FindingCause.MILESTONE_MISSED, 7, status(Status.RED, overdue=(7,)), False),  # still overdue
        (FindingCause.MILESTONE_MISSED, 7, status(Status.RED, overdue=(8,)), True),  # red for another reason
    ],
)
def test_a_missed_milestone_recovers_with_the_milestone_not_the_colour(cause, milestone_id, item, back):
    assert back_on_track(cause, milestone_id, item) is back


# --- staff decisions ---------------------------------------------------------------------------------

OPEN, IN_PROGRESS, CLOSED = FindingState.OPEN, FindingState.IN_PROGRESS, FindingState.CLOSED
# (state, finding's unit, staff, user's unit, may work on it)
WORK_CASES = [
    (OPEN, 5, True, None, True),  # bureau staff: any open finding
    (IN_PROGRESS, 5, False, 5, True),  # its own unit
    (OPEN, 5, False, 6, False),  # another unit
    (OPEN, None, False, None, False),  # a login without a unit never matches a finding without one
    (CLOSED, 5, True, None, False),  # nobody works on a closed finding
    (FindingState.WITHDRAWN, 5, False, 5, False),
]


@pytest.mark.parametrize(("state", "unit", "staff", "user_unit", "may"), WORK_CASES)
def test_staff_or_the_findings_own_unit_work_on_an_open_finding(state, unit, staff, user_unit, may):
    assert may_work_on(state, unit, staff=staff, department_id=user_unit) is may


# (state, finding's unit, staff, user's unit, the user's unit cooperates on it, may answer it)
ANSWER_CASES = [
    *((state, unit, staff, user_unit, False, may) for state, unit, staff, user_unit, may in WORK_CASES),
    (OPEN, 5, False, 6, True, True),  # a cooperating unit answers too (联动协调)
    (FindingState.CLOSURE_REQUESTED, 5, False, 6, True, True),
    (OPEN, 5, False, None, True, False),  # a login without a unit cooperates on nothing
    (CLOSED, 5, False, 6, True, False),  # nobody answers a closed finding
    (CLOSED, 5, False, 5, False, False),
]


@pytest.mark.parametrize(("state", "unit", "staff", "user_unit", "cooperates", "may"), ANSWER_CASES)
def test_staff_the_findings_own_unit_or_a_cooperating_unit_answer_an_open_finding(state, unit, staff, user_unit, cooperates, may):
    assert may_answer(state, unit, staff=staff, department_id=user_unit, cooperates=cooperates) is may


@pytest.mark.parametrize(
    ("state", "confirmed", "staff", "may"),
    [(OPEN, False, True, True), (OPEN, True, True, False), (OPEN, False, False, False), (CLOSED, False, True, False)],
)
def test_only_staff_confirm_an_open_finding_awaiting_confirmation(state, confirmed, staff, may):
    assert may_confirm(state, confirmed, staff=staff) is may


ITEM_OWNERS = Owners(1, 2, 3)


@pytest.mark.parametrize(
    ("entered", "measures", "owners", "state"),
    [
        (Owners(None, None, None), "", (1, 2, 3), None),  # the item's owners, left open
        (Owners(9, None, 8), "  ", (9, 2, 8), None),  # what staff entered stands
        (Owners(None, None, None), "派员督导", (1, 2, 3), FindingState.IN_PROGRESS),  # measures: in progress
    ],
)
def test_a_finding_entered_by_hand_takes_the_items_owners_where_left_blank(entered, measures, owners, state):
    fields = manual_finding(entered, ITEM_OWNERS, measures)
    assert (fields["department_id"], fields["responsible_leader_id"], fields["contact_id"]) == owners
    assert (fields["cause"], fields["state"]) == (FindingCause.MANUAL, state)


def test_a_hand_entered_finding_starts_from_a_site_inspection_due_in_the_plans_working_days():
    friday = D(2023, 7, 7)
    assert manual_initial(friday, 5, {}) == {
        "opened_on": friday,
        "source": FindingSource.SITE_INSPECTION,
        "light_when_found": StatusChoice.YELLOW,
        "deadline": D(2023, 7, 14),
    }
    assert "deadline" not in manual_initial(friday, None, {})  # no current plan: no deadline offered


@pytest.mark.parametrize(
    ("deadline", "confirmed_on", "moved_to"),
    [
        (D(2023, 7, 31), D(2023, 7, 7), D(2023, 7, 31)),  # far enough: kept
        (D(2023, 7, 10), D(2023, 7, 7), D(2023, 7, 14)),  # too close: 5 working days from the confirmation
    ],
)
def test_confirming_gives_the_unit_at_least_the_plans_working_days(deadline, confirmed_on, moved_to):
    assert deadline_on_confirmation(deadline, confirmed_on, 5, {}) == moved_to
