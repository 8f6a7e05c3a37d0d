"""Goals computed from the project register ("roll-ups").

The computation lives in projects.rollups, which registers a provider here when its app loads;
this module knows only the keys (targets.choices.Rollup), so the dependency stays
projects -> targets. A provider takes (plan, as_of) and returns {key: Decimal} for every key, in a
fixed number of queries, in each goal's stored unit (counts, %, 万元).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

Provider = Callable[..., dict[str, Decimal]]
_providers: list[Provider] = []
# Roll-up key -> what it counts (its pool), in words; the goal page shows it.
_pools: dict[str, str] = {}


def register_provider(func: Provider, pools: dict | None = None) -> Provider:
    if func not in _providers:
        _providers.append(func)
    _pools.update(pools or {})
    return func


def pool(key: str) -> str:
    """What the roll-up counts, as the provider describes it ("" when unknown)."""
    return str(_pools.get(key, ""))


def compute_all(plan, as_of: dt.date) -> dict[str, Decimal]:
    """Every roll-up of a plan as of a date."""
    values: dict[str, Decimal] = {}
    for provider in _providers:
        values.update(provider(plan, as_of))
    return values


def compute(key: str, plan, as_of: dt.date) -> Decimal:
    values = compute_all(plan, as_of)
    try:
        return values[key]
    except KeyError:
        raise LookupError(f"No roll-up provides {key!r}; is the projects app installed?") from None
