"""How a goal is judged, in one place: its kind, its reporting cadence and the calendar of figures.

Every other module asks here (docs/judging.md is the reader's version):

- kind_of(): cumulative with a deadline, stock level held at every check, level to reach,
  indicative ranking or growth figure, yes/no with a date; set on the goal or derived from its
  metric kind and schedule mode.
- cadence_of() and points(): when a figure is due. Monthly statistics start with January and
  February together; quarterly figures come after the quarter with the goal's publication lag;
  seasonal figures at the end of each season window (the goal's checkpoint dates); annual figures
  after the period; event goals owe no periodic report.
- OWES_REPORTS: which items owe periodic reports, stated once and read in Python (owes_reports())
  and as an ORM filter (owes_reports_q(), TrackedItem.objects.owing_reports()).
- judgement_date(), statistics_months(), reporting_calendar(): the monthly calendar of cumulative
  items (the statistics point a figure is judged at, targets.engine.schedule's judgement date).
- is_final(): when the final verdict is made.
- due_soon() / due_soon_q(): the milestone reminder window (提醒, not a light).
- figure_key() / is_monthly_due() / reminder_dates(): the report reminders follow each goal's own
  calendar: a figure is reminded before its own due date (lagged for quarterly or annual statistics)
  and again after it.

Pure functions of explicit dates, except the two *_q helpers that build ORM filters.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Container
from dataclasses import dataclass

from ..choices import ActualSource, Cadence, ItemKind, JudgingKind, MetricKind, ScheduleMode
from .facts import FIRST_STATISTICS_MONTH, Thresholds
from .schedule import DEFAULT_THRESHOLDS, add_months, month_end, month_start, report_due_date
from .workdays import Overrides, add_workdays, is_workday

QUARTER_END_MONTHS = (3, 6, 9, 12)
# Goals whose value is a reported cumulative number (the other metric kinds are judged otherwise).
CUMULATIVE_KINDS = frozenset(
    {
        MetricKind.COUNT,
        MetricKind.AMOUNT,
        MetricKind.PERCENTAGE,
        MetricKind.TONNAGE,
        MetricKind.AREA,
        MetricKind.LENGTH,
        MetricKind.CAPACITY,
    }
)
RELATION_KINDS = frozenset({MetricKind.RANKING, MetricKind.GROWTH_RATE})
SCHEDULED_MODES = frozenset({ScheduleMode.LINEAR, ScheduleMode.CHECKPOINTS})
# Kinds whose missed reports are covered by a later figure (a cumulative figure includes the months
# before it); a stock check says nothing about the months it was not made.
COVERED_BY_LATER_FIGURE = frozenset({JudgingKind.CUMULATIVE, JudgingKind.LEVEL, JudgingKind.INDICATIVE})


# --- kind and cadence --------------------------------------------------------------------------------


# Plain strings: kind_of() runs for every item of a 100k register, and comparing with enum members is slower.
_MILESTONE, _MILESTONES, _MANUAL = MetricKind.MILESTONE.value, ScheduleMode.MILESTONES.value, ScheduleMode.MANUAL.value
_RELATIONS = frozenset(kind.value for kind in RELATION_KINDS)
_YES_NO, _INDICATIVE, _LEVEL, _CUMULATIVE = (
    JudgingKind.YES_NO.value,
    JudgingKind.INDICATIVE.value,
    JudgingKind.LEVEL.value,
    JudgingKind.CUMULATIVE.value,
)


def kind_of(judging_kind: str | None, metric_kind: str | None, schedule_mode: str, target_value) -> str:
    """The goal's judging kind: as set, else from its metric kind and schedule mode (projects:
    cumulative)."""
    if judging_kind:
        return judging_kind
    if metric_kind is None and schedule_mode != _MILESTONES and schedule_mode != _MANUAL:
        return _CUMULATIVE  # projects, the common case
    if metric_kind == _MILESTONE or schedule_mode == _MILESTONES:
        return _YES_NO
    if metric_kind in _RELATIONS:
        return _INDICATIVE
    if schedule_mode == _MANUAL:
        return _LEVEL if target_value is not None else _INDICATIVE
    return _CUMULATIVE


def cadence_of(cadence: str | None) -> str:
    return cadence or Cadence.MONTHLY


@dataclass(frozen=True, slots=True)
class _Is:
    """One condition of a rule on an item: its ``lookup`` (a TrackedItem field path) is one of
    ``values`` (or, when ``negate``, is not). Read in Python (holds) and as an ORM filter (q)."""

    lookup: str
    values: frozenset
    negate: bool = False

    def holds(self, item: dict) -> bool:
        return (item[self.lookup] in self.values) != self.negate

    def q(self, prefix: str):
        from django.db.models import Q

        condition = Q(**{f"{prefix}{self.lookup}__in": sorted(self.values)})
        return ~condition if self.negate else condition


_GOAL_BY_HAND = (_Is("kind", frozenset({ItemKind.GOAL})), _Is("target__actual_source", frozenset({ActualSource.ROLLUP}), True))
# Who owes periodic reports, the one statement of the rule: any branch, every condition in it.
# Projects do (monthly); hand-reported goals with a cadence set do unless it is event-driven or a
# yes/no; without a cadence, hand-reported scheduled goals with a cumulative number do.
OWES_REPORTS = (
    (_Is("kind", frozenset({ItemKind.PROJECT})),),
    (
        *_GOAL_BY_HAND,
        _Is("target__cadence", frozenset({"", Cadence.EVENT}), True),
        _Is("target__metric_kind", frozenset({MetricKind.MILESTONE}), True),
        _Is("schedule_mode", frozenset({ScheduleMode.MILESTONES}), True),
    ),
    (
        *_GOAL_BY_HAND,
        _Is("target__cadence", frozenset({""})),
        _Is("target__metric_kind", CUMULATIVE_KINDS),
        _Is("schedule_mode", SCHEDULED_MODES),
    ),
)


@functools.lru_cache(maxsize=256)  # asked once per item and run, of a handful of combinations
def owes_reports(
    item_kind: str, metric_kind: str | None, source: str | None, schedule_mode: str, cadence: str | None = None
) -> bool:
    """Does the item owe periodic reports? (OWES_REPORTS, read in Python.)"""
    item = {
        "kind": item_kind,
        "target__metric_kind": metric_kind,
        "target__actual_source": source,
        "schedule_mode": schedule_mode,
        "target__cadence": cadence or "",
    }
    return any(all(condition.holds(item) for condition in branch) for branch in OWES_REPORTS)


def owes_reports_q(prefix: str = ""):
    """OWES_REPORTS as an ORM filter on TrackedItem (``prefix`` for a relation to it); the named
    queryset TrackedItem.objects.owing_reports() reads it."""
    branches = (functools.reduce(operator.and_, (condition.q(prefix) for condition in branch)) for branch in OWES_REPORTS)
    return functools.reduce(operator.or_, branches)


# --- the calendar of figures ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    """A statistics point: the figure for the months ``first``..``last`` (first days), as of ``date``,
    is due by ``due``."""

    first: dt.date
    last: dt.date
    date: dt.date
    due: dt.date

    def reported(self, periods: Container[dt.date]) -> bool:
        """Whether a report for a month of this window is among ``periods`` (months' first days)."""
        month = self.first
        while month <= self.last:
            if month in periods:
                return True
            month = add_months(month, 1)
        return False


def due_date(point: dt.date, due_day: int, lag_days: int | None) -> dt.date:
    """A figure as of ``point`` is due ``lag_days`` after it, or by the plan's report day of the
    next month ("the 5th")."""
    if lag_days is not None:
        return point + dt.timedelta(days=lag_days)
    return report_due_date(point, due_day)


@functools.lru_cache(maxsize=4096)  # items share a handful of calendars
def points(
    cadence: str,
    period_start: dt.date,
    period_end: dt.date,
    due_day: int = 5,
    lag_days: int | None = None,
    window_ends: tuple[dt.date, ...] = (),
    first_month: int = FIRST_STATISTICS_MONTH,
) -> tuple[Point, ...]:
    """The statistics points of a period on a cadence, in order.

    monthly: every month end from February on (January is reported with February); quarterly: the
    quarter ends; seasonal: ``window_ends`` (the goal's checkpoint dates); annual and event: the
    period end. The period end is always the last point (a period ending inside a month or a
    quarter ends there).
    """
    cadence = cadence_of(cadence)
    dates: list[dt.date] = []
    if cadence in (Cadence.MONTHLY, Cadence.QUARTERLY):
        month = month_start(period_start)
        while month <= period_end:
            if month.month >= first_month and (cadence == Cadence.MONTHLY or month.month in QUARTER_END_MONTHS):
                dates.append(min(month_end(month.year, month.month), period_end))
            month = add_months(month, 1)
    elif cadence == Cadence.SEASONAL:
        # The last window closes the activity: no figure is owed after it.
        dates = sorted(day for day in window_ends if period_start <= day <= period_end)
    if not dates or (dates[-1] < period_end and cadence != Cadence.SEASONAL):
        dates.append(period_end)
    result: list[Point] = []
    first = month_start(period_start)
    for day in dates:
        # A monthly figure is the month's own (a report labelled January is not the Jan-Feb figure),
        # so is the one figure of an annual or event goal (an in-year report is not the final one);
        # a quarterly or seasonal figure may be labelled with any month of its window.
        window_first = first if cadence in (Cadence.QUARTERLY, Cadence.SEASONAL) else month_start(day)
        result.append(Point(window_first, month_start(day), day, due_date(day, due_day, lag_days)))
        first = add_months(month_start(day), 1)
    return tuple(result)


def judgement_point(
    as_of: dt.date, calendar: tuple[Point, ...], reported: Container[dt.date], live: bool = False
) -> Point | None:
    """The point an item is judged at on ``as_of``: the latest one on or before it whose figure is
    in or overdue (always in for ``live`` roll-ups); None before the first figure can exist."""
    for point in reversed(calendar):
        if point.date <= as_of and (live or as_of > point.due or point.reported(reported)):
            return point
    return None


def is_final(
    as_of: dt.date, period_end: dt.date, calendar: tuple[Point, ...], reported: Container[dt.date], needs_figure: bool, live: bool
) -> bool:
    """Whether the final verdict is made on ``as_of``: the deadline (period end) has passed and the
    last due figure is in or overdue (items judged by milestones only need no figure)."""
    if as_of <= period_end:
        return False
    if not needs_figure or live or not calendar:
        return True
    last = calendar[-1]
    return as_of > last.due or last.reported(reported)


# --- milestone reminders --------------------------------------------------------------------------


def due_soon(planned: dt.date, as_of: dt.date, days: int) -> bool:
    """A milestone not done yet is due soon (a reminder, 提醒) from ``days`` before its date to the date."""
    return 0 <= (planned - as_of).days <= days


def due_soon_q(as_of: dt.date, days: int, prefix: str = ""):
    """due_soon() as an ORM filter on undone milestones."""
    from django.db.models import Q

    return Q(
        **{
            prefix + "actual_date__isnull": True,
            prefix + "planned_date__gte": as_of,
            prefix + "planned_date__lte": as_of + dt.timedelta(days=days),
        }
    )


# --- report reminders -----------------------------------------------------------------------------


def figure_key(cadence: str | None, lag_days: int | None, period_start: dt.date, period_end: dt.date) -> tuple:
    """What an item's calendar of figures depends on besides the plan's report day (and, for a
    seasonal goal, its window ends): items with the same key share their points()."""
    return (cadence_of(cadence), lag_days, period_start, period_end)


def is_monthly_due(point: Point, due_day: int) -> bool:
    """Whether ``point`` is due on the plan's monthly report day after its month (the 5th): the
    reminder of such a figure is the monthly one (one mail per person and month)."""
    return point.due == report_due_date(point.date, due_day)


def reminder_dates(due: dt.date, before_days: int, overrides: Overrides = None) -> tuple[dt.date, dt.date, dt.date]:
    """(first reminder, due date, second reminder) for a figure due on ``due``: the first
    ``before_days`` before it, moved back to a working day (before a long holiday, the last working
    day before it); the second on the first working day after it."""
    before = due - dt.timedelta(days=before_days)
    while not is_workday(before, overrides):
        before -= dt.timedelta(days=1)
    after = add_workdays(due + dt.timedelta(days=1), 0, overrides)
    return before, due, after


def reminder_phase(as_of: dt.date, due: dt.date, before_days: int, overrides: Overrides = None) -> str | None:
    """ "before" from the first reminder to the due date, "late" from the second reminder to the end
    of the due date's month (a run on a later day catches a missed one up), else None."""
    before, due, after = reminder_dates(due, before_days, overrides)
    if before <= as_of <= due:
        return "before"
    if as_of >= after and (as_of.year, as_of.month) == (due.year, due.month):
        return "late"
    return None


# --- the monthly calendar of cumulative items (targets.engine.schedule's judgement date) ----------------


def judgement_date(
    as_of: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    reported_periods: Container[dt.date] = frozenset(),
    *,
    live: bool = False,
) -> dt.date | None:
    """The statistics point a monthly cumulative item is judged at on ``as_of``, or None before its
    first one: judgement_point() on the monthly calendar (the rule's one home).

    The latest month end of the period (from ``first_statistics_month``; the period end when it ends
    inside a month) on or before as_of whose figure is overdue-if-missing or has arrived; ``live``
    items (roll-ups) always have their figure in. After the period end: its last point for good.
    """
    monthly = points("monthly", period_start, period_end, thresholds.report_due_day, None, (), thresholds.first_statistics_month)
    point = judgement_point(as_of, monthly, reported_periods, live=live)
    return point.date if point else None


def statistics_months(period_start: dt.date, period_end: dt.date, first_month: int = FIRST_STATISTICS_MONTH) -> list[dt.date]:
    """The first day of every statistics month of the period (January is reported with February)."""
    return [month for month, _due in reporting_calendar(period_start, period_end, first_month)]


def reporting_calendar(
    period_start: dt.date, period_end: dt.date, first_month: int = FIRST_STATISTICS_MONTH, due_day: int = 5
) -> tuple[tuple[dt.date, dt.date], ...]:
    """(first day, report due date) of every statistics month of the period, in order (the monthly
    calendar of points())."""
    monthly = points("monthly", period_start, period_end, due_day, None, (), first_month)
    return tuple((point.last, point.due) for point in monthly if point.last.month >= first_month)
