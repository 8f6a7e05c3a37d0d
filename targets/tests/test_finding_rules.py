"""Pure decisions of the finding register, table-driven: escalation follows confirmation, and one
event (one missed milestone, however many items carry it) opens one finding."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.choices import FindingCause, FindingLevel
from targets.facts import ItemStatus, Status
from targets.findings import lags_only_for_events_found_elsewhere, target_level, wanted_findings
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
