"""The plan's headline numbers (admin home): each headline goal's target against its actual value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from . import rollups
from .choices import ActualSource
from .models import Plan, Target


@dataclass(frozen=True)
class Headline:
    target: Target
    actual: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        if self.actual is None or not self.target.target_value:
            return None
        return (self.actual * 100 / self.target.target_value).quantize(Decimal("0.1"))


def current_plan(as_of: dt.date | None = None) -> Plan | None:
    as_of = as_of or timezone.localdate()
    return Plan.objects.filter(year=as_of.year).first() or Plan.objects.order_by("-year").first()


def headlines(plan: Plan, as_of: dt.date) -> list[Headline]:
    """Headline goals with their actual values, in a fixed number of queries."""
    targets = list(
        Target.objects.filter(plan=plan, is_headline=True).with_latest_report(as_of).order_by("headline_order", "code")
    )
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
        return {"duban_plan": None, "duban_headlines": []}
    # A past plan is shown as at its year end.
    as_of = min(as_of, plan.period_end)
    return {"duban_plan": plan, "duban_as_of": as_of, "duban_headlines": headlines(plan, as_of)}
