"""All sections of the dashboard for one plan, month and selection: what the page and the workbook show."""

from __future__ import annotations

from dataclasses import dataclass

from targets.models import Plan

from .battle_map import BattleMap, battle_map
from .filters import Filters
from .headline import HeadlineSection, headline_section
from .investment import InvestmentSection, investment_section
from .ranking import UnitRank, ranking
from .responsibility import ResponsibilitySection, responsibility


@dataclass(frozen=True)
class Dashboard:
    plan: Plan
    filters: Filters
    headline: HeadlineSection
    battle_map: BattleMap
    investment: InvestmentSection
    responsibility: ResponsibilitySection
    ranking: list[UnitRank]


def build(plan: Plan, filters: Filters) -> Dashboard:
    as_of = filters.as_of
    return Dashboard(
        plan=plan,
        filters=filters,
        headline=headline_section(plan, as_of, filters),
        battle_map=battle_map(plan, as_of, filters),
        investment=investment_section(plan, as_of, filters),
        responsibility=responsibility(plan, as_of, filters),
        ranking=ranking(plan, as_of, filters),
    )
