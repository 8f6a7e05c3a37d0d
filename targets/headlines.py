"""The plan's headline numbers (admin home): each headline goal's target against its actual value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from . import rollups
from .choices import ActualSource, Comparator, FindingLevel, ItemKind, MetricKind, Rollup, StatusChoice
from .documents.spreadsheets import one_decimal
from .figures_cache import cached
from .models import Finding, Plan, StatusSnapshot, SupervisionRound, SupervisionRun, Target
from .reasons import badge

# A share "actual ÷ target" means nothing for rankings, yes/no goals or upper limits (≤, <).
_NO_PERCENT_KINDS = {MetricKind.RANKING, MetricKind.MILESTONE}
_NO_PERCENT_COMPARATORS = {Comparator.LTE, Comparator.LT}


def completion_percent(item, actual: Decimal | None) -> Decimal | None:
    """Actual as a percentage of the item's target value (goals and projects alike)."""
    if actual is None or not item.target_value:
        return None
    if getattr(item, "metric_kind", None) in _NO_PERCENT_KINDS or item.comparator in _NO_PERCENT_COMPARATORS:
        return None
    return one_decimal(actual * 100 / item.target_value)  # half up, as the bureau and the dashboard round


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


def attach_actuals(targets) -> None:
    """Give each goal of a list page its actual value: roll-ups computed once per plan, not per row."""
    computed: dict[int, dict] = {}
    for target in targets:
        if target.actual_source == ActualSource.ROLLUP and target.rollup:
            if target.plan_id not in computed:
                as_of = plan_as_of(target.plan)
                # The register's roll-ups, kept a while like the admin home's (the same cache entry).
                computed[target.plan_id] = cached(
                    f"rollups:{as_of.isoformat()}",
                    target.plan,
                    lambda plan=target.plan, day=as_of: rollups.compute_all(plan, day),
                )
            target.duban_actual = computed[target.plan_id].get(target.rollup)


def actual_of(target):
    """A goal's current value: its roll-up (set by attach_actuals) or its latest report."""
    if target.actual_source == ActualSource.ROLLUP:
        return getattr(target, "duban_actual", None)
    return getattr(target, "latest_value", None)


def headlines(plan: Plan, as_of: dt.date, computed: dict[str, Decimal] | None = None) -> list[Headline]:
    """Headline goals with their actual values, in a fixed number of queries.

    `computed` is the plan's roll-ups (rollups.compute_all) when the caller already has them.
    """
    targets = list(
        Target.objects.published()
        .filter(plan=plan, is_headline=True)
        .with_latest_report(as_of)
        .order_by("headline_order", "code")
    )
    if computed is None:
        computed = rollups.compute_all(plan, as_of) if any(t.actual_source == ActualSource.ROLLUP for t in targets) else {}
    rows = []
    for target in targets:
        actual = computed.get(target.rollup) if target.actual_source == ActualSource.ROLLUP else target.latest_value
        rows.append(Headline(target=target, actual=actual))
    return rows


@dataclass(frozen=True)
class LightCount:
    status: str
    goals: int
    projects: int

    @property
    def total(self) -> int:
        return self.goals + self.projects

    @property
    def badge(self):
        return badge(self.status)


def supervision_summary(plan: Plan) -> dict:
    """The home page's supervision figures, in a fixed number of queries.

    Counts per colour at the plan's latest finished run, open findings by escalation level, and the
    notices sent for the plan's rounds (the "发送三清单21份" figure).
    """
    from .findings.rounds import dispatch_count

    run_date = SupervisionRun.objects.latest_finished_date(plan)
    counts: dict[tuple[str, str], int] = {}
    if run_date is not None:
        rows = (
            StatusSnapshot.objects.filter(item__plan=plan, date=run_date)
            .values_list("status", "item__kind")
            .annotate(n=Count("pk"))
        )
        counts = cached(f"lights:{run_date.isoformat()}", plan, lambda: {(status, kind): n for status, kind, n in rows})
    lights = [
        LightCount(status, counts.get((status, ItemKind.GOAL), 0), counts.get((status, ItemKind.PROJECT), 0))
        for status in StatusChoice.values
    ]
    by_level = dict(Finding.objects.filter(item__plan=plan).open().order_by().values_list("level").annotate(n=Count("pk")))
    levels = [(level, label, by_level.get(level, 0)) for level, label in FindingLevel.choices]
    return {
        "duban_run_date": run_date,
        "duban_lights": lights,
        "duban_findings_by_level": levels,
        "duban_open_findings": sum(by_level.values()),
        "duban_rounds": SupervisionRound.objects.filter(plan=plan).count(),
        "duban_dispatches": dispatch_count(plan),
    }


def headline_context(as_of: dt.date | None = None) -> dict:
    as_of = as_of or timezone.localdate()
    plan = current_plan(as_of)
    if plan is None:
        return {"duban_plan": None, "duban_headlines": [], "duban_completed_investment": None}
    # A past plan is shown as at its year end.
    as_of = plan_as_of(plan, as_of)
    # The roll-ups read the whole register: kept a while (figures_cache), like the dashboard's.
    computed = cached(f"rollups:{as_of.isoformat()}", plan, lambda: rollups.compute_all(plan, as_of))
    return {
        "duban_plan": plan,
        "duban_as_of": as_of,
        "duban_headlines": headlines(plan, as_of, computed),
        # Completed investment of the whole register (万元), from the same roll-up computation.
        "duban_completed_investment": computed.get(Rollup.COMPLETED_INVESTMENT),
        **supervision_summary(plan),
    }
