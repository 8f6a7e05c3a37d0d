"""How a figure compares, for the rules in targets.engine.rules (pure, no database): whether a relation
holds (≥, ≤, ≈ within a tolerance), the signed gap, rounding to thousandths, and the forecast of the
period-end value (checkpoint-scaled or a least-squares line)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..choices import ScheduleMode
from . import schedule
from .facts import APPROX_TOLERANCE, ItemFacts
from .schedule import CENT, MILLI, lower_is_better


def relation_holds(actual: Decimal, reference: Decimal, comparator: str, tolerance: Decimal = APPROX_TOLERANCE) -> bool:
    """Whether actual satisfies "actual <comparator> reference"; "=" counts an excess as fine and
    "~" accepts up to ``tolerance`` (the goal's, default 5 %) below the number (domain.md Part 0)."""
    if comparator == "<=":
        return actual <= reference
    if comparator == "<":
        return actual < reference
    if comparator == ">":
        return actual > reference
    if comparator == "~":
        return actual >= reference * (1 - tolerance)
    return actual >= reference  # ">=", "="


def quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(MILLI, rounding=ROUND_HALF_UP)


def signed_gap(expected: Decimal | None, actual: Decimal | None, comparator: str) -> Decimal | None:
    """How far behind, in the item's unit: expected - actual, or actual - expected for ≤/< goals."""
    if expected is None or actual is None:
        return None
    return quantize(actual - expected if lower_is_better(comparator) else expected - actual)


def forecast(facts: ItemFacts, points: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    """The period-end value projected from (date, cumulative value) figures, or None."""
    if not points:
        return None
    last_day, last_value = points[-1]
    if last_day >= facts.period_end:
        return quantize(last_value)
    if facts.checkpoints and facts.schedule_mode == ScheduleMode.CHECKPOINTS:
        planned = schedule.expected_from_checkpoints(facts.checkpoints, facts.period_start, last_day)
        if planned:
            return (last_value * facts.checkpoints[-1][1] / planned).quantize(CENT, rounding=ROUND_HALF_UP)
    return linear_forecast(facts.period_start, facts.period_end, points)


def linear_forecast(period_start: dt.date, period_end: dt.date, points: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    """Least-squares line of value over days elapsed (inclusive), evaluated at the period end."""
    x_end = (period_end - period_start).days + 1
    xs = [(day - period_start).days + 1 for day, _ in points]
    ys = [float(value) for _, value in points]
    n = len(xs)
    if n == 1:
        if xs[0] <= 0:
            return None
        projected = ys[0] * x_end / xs[0]
    else:
        mean_x, mean_y = sum(xs) / n, sum(ys) / n
        sxx = sum((x - mean_x) ** 2 for x in xs)
        if sxx == 0:
            return None
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
        projected = mean_y + slope * (x_end - mean_x)
    return Decimal(repr(max(projected, 0.0))).quantize(CENT, rounding=ROUND_HALF_UP)


def forecast_misses(projected: Decimal | None, target: Decimal | None, comparator: str, margin: Decimal) -> bool:
    if projected is None or target is None:
        return False
    if lower_is_better(comparator):
        return projected > target * (1 + margin)
    return projected < target * (1 - margin)
