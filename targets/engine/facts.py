"""Plain data the supervision rules work on: no database, no Django models.

targets.engine.evaluation gathers these from the database in a fixed number of queries; targets.engine.rules
turns one ItemFacts into one ItemStatus. Tests build them by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    """A traffic light. Order matters: worse() picks the later one."""

    GREY = "grey"  # nothing to judge yet
    BLUE = "blue"  # well ahead of schedule
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


SEVERITY = {Status.GREY: 0, Status.BLUE: 1, Status.GREEN: 2, Status.YELLOW: 3, Status.RED: 4}


def worse(*statuses: Status) -> Status:
    """The worst of several component statuses (grey only when nothing else is known).

    A plain loop: about 475,000 calls a run on the 100k register, a quarter of the time of
    max(key=SEVERITY.__getitem__) for two or three statuses."""
    worst, rank = Status.GREY, 0
    for status in statuses:
        severity = SEVERITY[status]
        if severity > rank:
            worst, rank = status, severity
    return worst


# Statistics restart every January and January is published with February (domain.md Part 0).
FIRST_STATISTICS_MONTH = 2
APPROX_TOLERANCE = Decimal("0.05")  # the default tolerance of "about" (约/左右) goals


@dataclass(frozen=True)
class Thresholds:
    """Per plan, overridable per goal (domain.md Part 3.2 defaults)."""

    green: Decimal = Decimal("1.00")  # ratio r = actual / expected at or above: green
    red: Decimal = Decimal("0.60")  # below: red; in between: yellow
    blue: Decimal | None = None  # optional: at or above: blue (ahead)
    due_soon_days: int = 14  # a milestone reminder (提醒, not a light) this many days before its date
    milestone_red_months: int = 3  # overdue this long: red
    report_due_day: int = 5  # a month's report is due by this day of the next month
    forecast_margin: Decimal = Decimal("0.10")  # early warning when the forecast misses by more
    first_statistics_month: int = FIRST_STATISTICS_MONTH  # cumulative statistics start at the end of February
    day_precise: bool = False  # linear schedules by day instead of whole months


# Milestones and reports are the bulk of a run's rows (about 900,000 on the 100k register): named
# tuples build in half the time of frozen dataclasses and stay immutable.
class MilestoneFacts(NamedTuple):
    id: int
    kind: str  # targets.choices.MilestoneKind value
    title: str
    planned_date: dt.date | None
    actual_date: dt.date | None


class ReportFacts(NamedTuple):
    as_of: dt.date
    period: dt.date  # first day of the month reported on
    value: Decimal | None


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each of its 21 fields through object.__setattr__
class ItemFacts:
    """Everything the rules need to judge one goal or project on a date."""

    item_id: int
    kind: str  # "goal" or "project"
    metric_kind: str | None  # targets.choices.MetricKind value for goals; None for projects
    comparator: str  # ">=", ">", "<=", "<", "=", "~"
    target_value: Decimal | None
    schedule_mode: str  # "linear", "checkpoints", "milestones", "manual"
    period_start: dt.date
    period_end: dt.date
    checkpoints: tuple[tuple[dt.date, Decimal], ...] = ()  # (date, expected cumulative), sorted by date
    reports: tuple[ReportFacts, ...] = ()  # sorted by as_of; may include reports after as_of (ignored)
    milestones: tuple[MilestoneFacts, ...] = ()
    actual_from_rollup: bool = False
    rollup_value: Decimal | None = None  # the roll-up's value as of the date, when actual_from_rollup
    expects_monthly_reports: bool = False  # owes reports on its cadence (targets.engine.judging.owes_reports)
    thresholds: Thresholds = field(default_factory=Thresholds)
    override: tuple[str, str] | None = None  # (status, reason) set by staff, valid on the date
    # How the goal is judged (targets.engine.judging): blank values are derived (projects: cumulative, monthly).
    judging_kind: str = ""
    cadence: str = ""
    lag_days: int | None = None  # publication lag: a figure is due this many days after its point
    curve: str = ""
    tolerance: Decimal = APPROX_TOLERANCE  # "about" goals are met from this share below the number


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item has its colour: a stable code plus parameters (rendered in Chinese elsewhere)."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(slots=True)  # one per item and run: not frozen, for the same reason as ItemFacts
class ItemStatus:
    item_id: int
    as_of: dt.date
    status: Status
    expected: Decimal | None = None  # expected cumulative value at the judgement date
    actual: Decimal | None = None
    ratio: Decimal | None = None  # actual / expected (comparator-aware), 2 decimals
    gap: Decimal | None = None  # expected - actual in the item's unit (positive = behind)
    forecast: Decimal | None = None  # projected value at the period end
    judged_on: dt.date | None = None  # the statistics point the value was judged at
    value_status: Status = Status.GREY
    milestone_status: Status = Status.GREY
    reporting_status: Status = Status.GREY
    overridden: bool = False
    reasons: tuple[Reason, ...] = ()
    overdue_milestones: tuple[tuple[int, int], ...] = ()  # (milestone id, days overdue)
    missed_milestones: tuple[int, ...] = ()  # start / completion / stats-entry milestones past due, undone
    missing_periods: tuple[dt.date, ...] = ()  # months whose report is overdue (not covered by a later one)
    lapsed_periods: tuple[dt.date, ...] = ()  # months filed late or never, covered by a later figure (报送不及时)
    final: bool = False  # the final verdict is made on this date (targets.engine.judging.is_final)
