"""Where a cumulative goal should stand on a date (序时进度), as pure functions of explicit dates.

The statistics calendar (domain.md Part 0):
- Cumulative statistics restart every January and January is published together with February, so
  the statistics points are the month ends from the end of February (``first_month``) on. January's
  month end is never a point.
- A month's figure is due by the ``report_due_day`` (5th) of the next month; it is overdue from the
  day after. The figure a goal is judged on (the *judgement date*) is the latest statistics point
  whose figure is overdue-if-missing, or whose figure has already arrived: on 3 July the June figure
  is not expected yet (unless it is in), on 6 July it is.

Expected values:
- Linear (序时): elapsed whole months ÷ months in the period × target; 6/12 at 30 June for a
  calendar-year goal. A month counts as elapsed on its last day. When a period starts or ends inside
  a month, that month still counts as one whole month of the period and elapses on its last day (or
  on the period end, if earlier): a period from 20 June to 31 December has 7 months, 1/7 of which
  has elapsed on 30 June. The day-precise variant uses elapsed days ÷ days in the period, both
  counted inclusively (the first day of the period is 1 day elapsed).
- Checkpoints: piecewise linear (by days) from 0 at the period start through each checkpoint; the
  checkpoint value on its date; the last value after the last checkpoint.
- Expected values are clamped to [0, target] and rounded to cents (ROUND_HALF_UP).

Ratio r: for higher-is-better goals (≥, >, =, ~) actual ÷ expected; for lower-is-better goals
(≤, <: rankings, energy intensity, caps) expected ÷ actual. Rounded to 2 decimals (ROUND_HALF_UP), and
the rounded ratio is the one the thresholds compare, so the colour always matches the figure shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .facts import FIRST_STATISTICS_MONTH, Thresholds

CENT = Decimal("0.01")  # ratios
MILLI = Decimal("0.001")  # values: the plan's numbers have up to three decimals (98.392 公里)
ZERO = Decimal("0")
ZERO_CENTS = Decimal("0.00")
DEFAULT_THRESHOLDS = Thresholds()
LOWER_IS_BETTER = frozenset({"<=", "<"})

# Zhejiang's 2023 new-start curve: share of the year's new projects started by each date.
# "≥ 30%" by Q1; "> 60%" by H1; "> 85%" by Q3; all by October.
START_RATE_CURVE: tuple[tuple[int, int, Decimal, bool], ...] = (
    (3, 31, Decimal("0.30"), False),  # (month, day, share, share must be exceeded)
    (6, 30, Decimal("0.60"), True),
    (9, 30, Decimal("0.85"), True),
    (10, 31, Decimal("1"), False),
)


# --- calendar -------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@functools.lru_cache(maxsize=4096)
def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def previous_month(first_day: dt.date) -> dt.date:
    """The first day of the month before the month starting on ``first_day``."""
    return (first_day - dt.timedelta(days=1)).replace(day=1)


@functools.lru_cache(maxsize=8192)  # evaluate() calls it for every milestone of 100,000 items
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (or earlier), clamped to the month's last day:
    31 January + 1 month = 28 February; 30 November 2023 + 3 months = 29 February 2024."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


# --- the statistics calendar ----------------------------------------------------------------------


def statistics_point(as_of: dt.date, first_month: int = FIRST_STATISTICS_MONTH) -> dt.date | None:
    """The latest month end on or before ``as_of`` that is a statistics point of as_of's year, i.e.
    the end of ``first_month`` or a later month; None before the first one (1 Jan to 27 Feb)."""
    month = as_of.month if month_end(as_of.year, as_of.month) == as_of else as_of.month - 1
    if month < first_month:
        return None
    return month_end(as_of.year, month)


@functools.lru_cache(maxsize=4096)
def report_due_date(month: dt.date, due_day: int = 5) -> dt.date:
    """The last day on which the report for ``month`` (any day of it) is on time: ``due_day`` of the
    next month, clamped to that month's length."""
    following = add_months(month_start(month), 1)
    return following.replace(day=min(due_day, calendar.monthrange(following.year, following.month)[1]))


# --- expected values ------------------------------------------------------------------------------


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def exact(value: Decimal) -> Decimal:
    """A plan's own number as stored (three decimals): never rounded to cents (98.392 公里)."""
    return value.quantize(MILLI, rounding=ROUND_HALF_UP) if more_than_cents(value) else cents(value)


def more_than_cents(value: Decimal) -> bool:
    """Whether the number is written with more than two decimals (its exponent is below -2).

    Read off its text: as_tuple() builds a named tuple, a third of a run's rule time on 100k items."""
    text = str(value)
    if "E" in text:
        return value.as_tuple().exponent < -2
    dot = text.find(".")
    return dot >= 0 and len(text) - dot - 1 > 2


def clamp(value: Decimal, target: Decimal) -> Decimal:
    return max(ZERO, min(value, target)) if target >= 0 else value


def months_in_period(period_start: dt.date, period_end: dt.date) -> int:
    """Calendar months the period touches: 12 for a calendar year, 7 for 20 June to 31 December."""
    return month_index(period_end) - month_index(period_start) + 1


def elapsed_months(period_start: dt.date, period_end: dt.date, at: dt.date) -> int:
    """Months of the period whose last day (or the period end, if earlier) is on or before ``at``."""
    if at >= period_end:
        return months_in_period(period_start, period_end)
    if at < period_start:
        return 0
    completed = month_index(at) - month_index(period_start)  # months before at's month
    if at == month_end(at.year, at.month):
        completed += 1
    return completed


def expected_linear(
    target: Decimal, period_start: dt.date, period_end: dt.date, at: dt.date, day_precise: bool = False
) -> Decimal:
    """Time-proportional expected cumulative value (序时) at ``at``: the target × elapsed whole
    months ÷ months in the period, or × elapsed days ÷ days in the period (inclusive)."""
    if at < period_start:
        return ZERO_CENTS
    if at >= period_end:
        return exact(target)
    if day_precise:
        elapsed, total = (at - period_start).days + 1, (period_end - period_start).days + 1
    else:
        elapsed, total = elapsed_months(period_start, period_end, at), months_in_period(period_start, period_end)
    return cents(clamp(target * elapsed / total, target))


def expected_from_checkpoints(points: Sequence[tuple[dt.date, Decimal]], period_start: dt.date, at: dt.date) -> Decimal | None:
    """Expected cumulative value at ``at`` from (date, value) checkpoints sorted by date: linear by
    days between them, from 0 at the period start; the last value after the last one. None when
    there are no checkpoints."""
    if not points:
        return None
    if at <= period_start and at < points[0][0]:
        return ZERO_CENTS
    previous_day, previous_value = period_start, ZERO
    for day, value in points:
        if at <= day:
            if at == day:
                return exact(value)
            span = (day - previous_day).days
            return cents(previous_value + (value - previous_value) * (at - previous_day).days / span)
        previous_day, previous_value = day, value
    return exact(previous_value)


def start_rate_checkpoints(total: int | Decimal, year: int, *, strict: bool = False) -> tuple[tuple[dt.date, Decimal], ...]:
    """Zhejiang's 2023 new-start curve as cumulative counts of ``total`` new projects.

    Counts are rounded up. "> 60%" is read by the plan's convention for 超 ("evaluate as ≥",
    domain.md Part 0): at least 60%, so 35 projects give 11, 21, 30, 35 (the plan_2023 fixture's
    G16 curve). With ``strict=True`` the '>' shares must be exceeded: the smallest count strictly
    above the share, 11, 22, 30, 35.
    """
    total = Decimal(total)
    points = []
    for month, day, share, exceed in START_RATE_CURVE:
        exact = total * share
        if strict and exceed:
            count = exact.to_integral_value(rounding=ROUND_FLOOR) + 1
        else:
            count = exact.to_integral_value(rounding=ROUND_CEILING)
        points.append((dt.date(year, month, day), min(count, total)))
    return tuple(points)


# --- the ratio ------------------------------------------------------------------------------------


def lower_is_better(comparator: str) -> bool:
    return comparator in LOWER_IS_BETTER


def ratio(actual: Decimal | None, expected: Decimal | None, comparator: str) -> Decimal | None:
    """How far along the path an item is: actual ÷ expected, or expected ÷ actual for ≤/< goals.

    None when either is missing or the divisor is 0 (nothing expected yet; or a lower-is-better
    item at 0, which the rules treat as on track). Rounded to 2 decimals, ROUND_HALF_UP.
    """
    if actual is None or expected is None or expected == 0:
        return None
    if comparator in LOWER_IS_BETTER:
        if actual == 0:
            return None
        return (expected / actual).quantize(CENT, rounding=ROUND_HALF_UP)
    return (actual / expected).quantize(CENT, rounding=ROUND_HALF_UP)
