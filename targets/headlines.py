"""The plan's headline numbers (admin home): each headline goal's target against its actual value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from . import rollups
from .choices import ActualSource, Comparator, MetricKind, Rollup
from .models import Plan, Target

# A share "actual ÷ target" means nothing for rankings, yes/no goals or upper limits (≤, <).
_NO_PERCENT_KINDS = {MetricKind.RANKING, MetricKind.MILESTONE}
_NO_PERCENT_COMPARATORS = {Comparator.LTE, Comparator.LT}


def completion_percent(item, actual: Decimal | None) -> Decimal | None:
    """Actual as a percentage of the item's target value (goals and projects alike)."""
    if actual is None or not item.target_value:
        return None
    if getattr(item, "metric_kind", None) in _NO_PERCENT_KINDS or item.comparator in _NO_PERCENT_COMPARATORS:
        return None
    return (actual * 100 / item.target_value).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Headline:
    target: Target
    actual: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        return completion_percent(self.target, self.actual)


def current_plan(as_of: dt.date | None = None) -> Plan | None:
    as_of = as_of or timezone.localdate()
    return Plan.objects.filter(year=as_of.year).first() or Plan.objects.order_by("-year").first()


def plan_as_of(plan: Plan, as_of: dt.date | None = None) -> dt.date:
    """The date a plan is read at: today, or its year end once the year is over."""
    return min(as_of or timezone.localdate(), plan.period_end)


def headlines(plan: Plan, as_of: dt.date, computed: dict[str, Decimal] | None = None) -> list[Headline]:
    """Headline goals with their actual values, in a fixed number of queries.

    `computed` is the plan's roll-ups (rollups.compute_all) when the caller already has them.
    """
    targets = list(
        Target.objects.filter(plan=plan, is_headline=True).with_latest_report(as_of).order_by("headline_order", "code")
    )
    if computed is None:
        computed = rollups.compute_all(plan, as_of) if any(t.actual_source == ActualSource.ROLLUP for t in targets) else {}
    rows = []
    for target in targets:
        actual = computed.get(target.rollup) if target.actual_source == ActualSource.ROLLUP else target.latest_value
        rows.append(Headline(target=target, actual=actual))
    return rows


def headline_context(as_of: dt.date | None = None) -> dict:
    as_of = as_of or timezone.localdate()
    plan = current_plan(as_of)
    if plan is None:
        return {"duban_plan": None, "duban_headlines": [], "duban_completed_investment": None}
    # A past plan is shown as at its year end.
    as_of = plan_as_of(plan, as_of)
    computed = rollups.compute_all(plan, as_of)
    return {
        "duban_plan": plan,
        "duban_as_of": as_of,
        "duban_headlines": headlines(plan, as_of, computed),
        # Completed investment of the whole register (万元), from the same roll-up computation.
        "duban_completed_investment": computed.get(Rollup.COMPLETED_INVESTMENT),
    }
