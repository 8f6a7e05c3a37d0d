"""All sections of the dashboard for one plan, month and selection: what the page and the workbook show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import timezone

from targets.models import Plan

from . import cache
from .battle_map import BattleMap, battle_page, battle_totals
from .filters import Filters
from .headline import HeadlineSection, headline_section
from .investment import UNITS_PER_PAGE, InvestmentSection, completed_investment, investment_cells, investment_section
from .paging import PARAMS, Page, page_number
from .ranking import UnitRank, ranking
from .responsibility import GROUPS_PER_PAGE, ResponsibilitySection, group_lines, responsibility

RANKS_PER_PAGE = 20
WORST_SHOWN = 5


@dataclass(frozen=True)
class Dashboard:
    plan: Plan
    filters: Filters
    computed_at: dt.datetime  # when the counts and totals were read (they may come from the cache)
    headline: HeadlineSection
    battle_map: BattleMap
    investment: InvestmentSection
    responsibility: ResponsibilitySection
    ranking: list[UnitRank]  # every unit
    ranking_page: Page

    @property
    def page_ranks(self) -> list[UnitRank]:
        return self.ranking_page.slice(self.ranking)

    @property
    def worst_units(self) -> list[UnitRank]:
        """The last WORST_SHOWN units of the ranking, worst first."""
        return list(reversed(self.ranking[-WORST_SHOWN:])) if len(self.ranking) > RANKS_PER_PAGE else []


@dataclass(frozen=True)
class Pages:
    """The page shown of each bounded section (paging.PARAMS)."""

    map: int = 1
    units: int = 1
    groups: int = 1
    ranking: int = 1

    @classmethod
    def from_query(cls, params) -> Pages:
        return cls(**{key: page_number(params, key) for key in PARAMS})


@dataclass(frozen=True)
class Figures:
    """What the sections count over the whole selection: the costly part, kept in the cache (cache.py)."""

    computed_at: dt.datetime
    headline: HeadlineSection
    battle_map: BattleMap  # its totals; the page of rows is read on every request
    investment: InvestmentSection
    responsibility: ResponsibilitySection
    ranking: list[UnitRank]


def figures(plan: Plan, filters: Filters, fresh: bool = False) -> Figures:
    """Every section's counts and totals over the selection, in a number of queries independent of its size."""
    as_of = filters.as_of
    grouped = group_lines(plan, as_of, filters)  # shared by the responsibility table and the ranking
    counted = investment_cells(plan, fresh=fresh)  # cells.py: kept, counted after each run
    investment = investment_section(plan, as_of, filters, counted=counted)
    invested = completed_investment(counted, filters, investment.as_of_index)
    return Figures(
        computed_at=timezone.now(),
        headline=headline_section(plan, as_of, filters, fresh, invested=invested),
        battle_map=battle_totals(plan, as_of, filters),
        investment=investment,
        responsibility=responsibility(plan, as_of, filters, 1, grouped),
        ranking=ranking(plan, as_of, filters, grouped, fresh=fresh),
    )


def figures_for(plan: Plan, filters: Filters, fresh: bool = False) -> Figures:
    """figures() from the cache (cache.py) unless `fresh`."""
    return cache.cached_figures(plan, filters, lambda: figures(plan, filters, fresh), fresh=fresh)


def build(plan: Plan, filters: Filters, pages: Pages | None = None, fresh: bool = False) -> Dashboard:
    """The page's sections: the figures (from the cache unless `fresh`) and the pages asked for."""
    pages = pages or Pages()
    counted = figures_for(plan, filters, fresh)
    investment = counted.investment
    groups = counted.responsibility.groups
    return Dashboard(
        plan=plan,
        filters=filters,
        computed_at=counted.computed_at,
        headline=counted.headline,
        battle_map=battle_page(plan, filters.as_of, filters, counted.battle_map, pages.map),
        investment=replace(investment, page=Page(len(investment.units), pages.units, UNITS_PER_PAGE)),
        responsibility=replace(counted.responsibility, page=Page(len(groups), pages.groups, GROUPS_PER_PAGE)),
        ranking=counted.ranking,
        ranking_page=Page(len(counted.ranking), pages.ranking, RANKS_PER_PAGE),
    )
