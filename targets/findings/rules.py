"""The finding register's decisions, as pure functions (no database, no request): which findings
the statuses call for, how far a finding has climbed, what a run does with a finding whose item
recovered, the defaults of a finding staff enter by hand, and who may work on a finding.

The rest of targets.findings (the one writer of findings) reads and writes the rows and asks here;
the admin, the API and the imports call targets.findings. Tests: targets/tests/test_finding_rules.py,
tables without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..choices import (
    OPEN_FINDING_STATES,
    FindingCause,
    FindingLevel,
    FindingSource,
    FindingState,
    StatusChoice,
    finding_key,
)
from ..engine.facts import ItemStatus, Status
from ..engine.schedule import month_end
from ..engine.workdays import Overrides, add_workdays

LAGGING = {Status.RED, Status.YELLOW}
ON_TRACK = {Status.GREEN, Status.BLUE}
# Events: closed out once, never raised again (a lag that recovers and comes back is raised again).
ONCE = (FindingCause.MILESTONE_MISSED, FindingCause.REPORTING_LAPSE)


@dataclass(frozen=True)
class Want:
    """A finding the statuses call for."""

    item_id: int
    cause: str
    status: ItemStatus
    milestone_id: int | None = None
    days_overdue: int | None = None

    @property
    def key(self) -> str:
        key = finding_key(self.item_id, self.cause, self.milestone_id)
        if self.cause == FindingCause.REPORTING_LAPSE:
            # One finding per catch-up: the lapse ends with the last month a later report covered.
            key += f":{self.status.lapsed_periods[-1]:%Y%m}"
        return key


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day.year, day.month)


def previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


# --- Which findings are wanted ------------------------------------------------------------------------


def lags_only_for_events_found_elsewhere(s: ItemStatus, fulfilled: Collection[int]) -> bool:
    """True when the item lags only because of overdue milestones whose miss has a finding of its own.

    Those are its own missed start / completion / statistics-entry milestones (the milestone
    finding) and milestones other items' milestones fulfil (the finding is on those items). One
    miss, one finding: the item gets no second, red or yellow-twice, finding for the same event.
    """
    if s.value_status in LAGGING or s.reporting_status in LAGGING or not s.overdue_milestones:
        return False
    covered = {*s.missed_milestones, *fulfilled}
    return all(milestone_id in covered for milestone_id, _days in s.overdue_milestones)


def wanted_findings(
    statuses: Iterable[ItemStatus], yellow_before: set[int], month_end_run: bool, fulfilled: Collection[int] = ()
) -> dict[str, Want]:
    """The findings the statuses call for; ``fulfilled``: milestones that others' milestones fulfil."""
    wants: dict[str, Want] = {}
    for s in statuses:
        if s.overridden:
            continue  # staff have judged this item; the override's reason stands
        covered = lags_only_for_events_found_elsewhere(s, fulfilled)
        if s.status == Status.RED and not covered:
            want = Want(s.item_id, FindingCause.RED, s)
            wants[want.key] = want
        elif s.status == Status.YELLOW and month_end_run and s.item_id in yellow_before and not covered:
            want = Want(s.item_id, FindingCause.YELLOW_TWICE, s)
            wants[want.key] = want
        if s.lapsed_periods:  # 报送不及时: its own entry, whatever the colour
            want = Want(s.item_id, FindingCause.REPORTING_LAPSE, s)
            wants[want.key] = want
        overdue = dict(s.overdue_milestones)
        for milestone_id in s.missed_milestones:
            if milestone_id in fulfilled:
                continue  # the same event on another item (the project that fulfils it) has the finding
            want = Want(s.item_id, FindingCause.MILESTONE_MISSED, s, milestone_id, overdue.get(milestone_id))
            wants[want.key] = want
    return wants


def raised_again(want: Want, closed_on: dt.date | None, recovered_on: dt.date | None) -> bool:
    """After 销号 or dismissal, a lag opens a new finding only if the item was on track at some
    evaluation after the close (``recovered_on``: its latest on-track date); an event never again."""
    if closed_on is None:
        return True
    return want.cause not in ONCE and (recovered_on or closed_on) > closed_on


# --- What a run does with an open finding ---------------------------------------------------------


def back_on_track(cause: str, milestone_id: int | None, status: ItemStatus) -> bool:
    """Has the finding's lag gone? A missed milestone once it is no longer overdue, else the colour."""
    if cause == FindingCause.MILESTONE_MISSED:
        return milestone_id not in {m for m, _days in status.overdue_milestones}
    return status.status in ON_TRACK


WITHDRAW, READY, NOT_READY = "withdraw", "ready", "not_ready"


def after_recovery(
    cause: str, back: bool, flagged: bool, confirmed: bool, opened_on: dt.date, as_of: dt.date | None
) -> str | None:
    """What the run does with an open automatic finding: WITHDRAW an unconfirmed draft whose item
    recovered (never a reporting lapse, a fact recovery does not undo; never one opened after the
    date re-run), flag it READY to close, or NOT_READY again; None: leave it."""
    if back and not confirmed and as_of is not None and cause != FindingCause.REPORTING_LAPSE:
        return WITHDRAW if opened_on <= as_of else None
    if back and not flagged:
        return READY
    if not back and flagged:
        return NOT_READY
    return None


# --- The escalation ladder ------------------------------------------------------------------------


def target_level(
    plan, as_of: dt.date, opened_on: dt.date, deadline: dt.date, red_persists: bool, confirmed_on: dt.date | None
) -> int:
    """The rung a finding has reached on ``as_of`` (``plan``: its escalate_*_days).

    Only a confirmed finding climbs: its days count from the later of opening and confirmation (a
    manual finding is confirmed when staff enter it), so a draft never warns the unit head or the
    leader, and confirming an old draft does not fire its warnings at once.
    """
    if confirmed_on is None or as_of < confirmed_on:
        return FindingLevel.REMINDER
    days_open = (as_of - max(opened_on, confirmed_on)).days
    if days_open >= plan.escalate_supervision_days or red_persists:
        return FindingLevel.SUPERVISION
    if days_open >= plan.escalate_warning_days or as_of > deadline:
        return FindingLevel.WARNING
    return FindingLevel.REMINDER


def escalation_reason(level: int, as_of: dt.date, opened_on: dt.date, deadline: dt.date, red_persists: bool) -> str:
    if level == FindingLevel.REMINDER:
        return _("Finding opened")
    if level == FindingLevel.SUPERVISION and red_persists:
        return _("Still red at the second month-end evaluation")
    if level == FindingLevel.WARNING and as_of > deadline:
        return _("Deadline %(date)s passed") % {"date": deadline.isoformat()}
    return _("Open for %(days)s days") % {"days": (as_of - opened_on).days}


# --- Staff decisions --------------------------------------------------------------------------------


def deadline_on_confirmation(deadline: dt.date, today: dt.date, workdays: int, overrides: Overrides) -> dt.date:
    """A confirmed finding's deadline: at least the plan's working days from the confirmation,
    since the unit is only now asked to act on it."""
    return max(deadline, add_workdays(today, workdays, overrides))


def manual_initial(today: dt.date, workdays: int | None, overrides: Overrides) -> dict:
    """What the form for a finding staff enter by hand starts with (``workdays``: the current
    plan's finding_deadline_workdays, None without a current plan)."""
    initial = {"opened_on": today, "source": FindingSource.SITE_INSPECTION, "light_when_found": StatusChoice.YELLOW}
    if workdays is not None:
        initial["deadline"] = add_workdays(today, workdays, overrides)
    return initial


@dataclass(frozen=True)
class Owners:
    """Who answers for a finding: unit, responsible leader, contact (ids)."""

    department_id: int | None
    responsible_leader_id: int | None
    contact_id: int | None


def manual_finding(entered: Owners, item: Owners, measures: str) -> dict:
    """The fields a finding staff enter by hand takes: cause 人工, the item's owners where the form
    left them blank, confirmed at once (staff raised it themselves: no confirmation step), and in
    progress when measures came with it."""
    return {
        "cause": FindingCause.MANUAL,
        "department_id": entered.department_id or item.department_id,
        "responsible_leader_id": entered.responsible_leader_id or item.responsible_leader_id,
        "contact_id": entered.contact_id or item.contact_id,
        "state": FindingState.IN_PROGRESS if measures.strip() else None,
    }


def is_open(state: str) -> bool:
    return state in OPEN_FINDING_STATES


def may_work_on(state: str, finding_department_id: int | None, *, staff: bool, department_id: int | None) -> bool:
    """Measures, evidence, progress notes, extension and close-out requests: on an open finding,
    bureau staff or the finding's own unit (``department_id``: the user's unit)."""
    if not is_open(state):
        return False
    return staff or (department_id is not None and finding_department_id == department_id)


def may_answer(
    state: str, finding_department_id: int | None, *, staff: bool, department_id: int | None, cooperates: bool
) -> bool:
    """Written replies: on an open finding, bureau staff, the finding's own unit or a unit cooperating
    on it (联动协调; ``cooperates``: the user's unit is among the finding's cooperating units)."""
    if not is_open(state):
        return False
    return staff or (department_id is not None and (finding_department_id == department_id or cooperates))


def may_confirm(state: str, confirmed: bool, *, staff: bool) -> bool:
    """Only bureau staff confirm, and only an open finding still awaiting confirmation (待确认)."""
    return staff and is_open(state) and not confirmed
