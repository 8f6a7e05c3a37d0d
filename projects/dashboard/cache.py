"""The dashboard's figures of a plan, month and selection, kept by targets.figures_cache.

The rows of the battle map's page are never cached; the page says when the figures were counted
and links to counting them again (?fresh=1).
"""

from __future__ import annotations

from collections.abc import Callable

from targets.figures_cache import cached
from targets.models import Plan

from .filters import Filters


def cached_figures(plan: Plan, filters: Filters, compute: Callable, fresh: bool = False):
    return cached(f"dashboard:{filters.querystring()}", plan, compute, fresh=fresh)
