"""The dashboard's figures in Django's cache: counted once, read by every request for the same selection.

Counting a province's register (a million reports and monthly-plan rows) takes seconds; a page
must not. The figures of a plan, month and selection are kept for DUBAN_DASHBOARD_CACHE_SECONDS
(0: never kept) and the page says when they were counted, with a link that counts them again. A
finished supervision run starts new figures at once (its date is part of the key); reports and
plans entered meanwhile show at the latest when the figures expire. The rows of the battle map's
page are never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import translation

from targets.models import Plan, SupervisionRun

from .filters import Filters

VERSION = 1  # bump when the cached dataclasses change shape


def key(plan: Plan, filters: Filters) -> str:
    last_run = SupervisionRun.objects.filter(plan=plan, finished_at__isnull=False).aggregate(last=Max("finished_at"))["last"]
    stamp = last_run.isoformat() if last_run else "-"
    return f"duban:dashboard:{VERSION}:{plan.pk}:{translation.get_language()}:{stamp}:{filters.querystring()}"


def cached_figures(plan: Plan, filters: Filters, compute: Callable, fresh: bool = False):
    """The figures from the cache, or computed (and kept) when absent, expired or `fresh` is asked for."""
    seconds = settings.DUBAN_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    name = key(plan, filters)
    found = None if fresh else cache.get(name)
    if found is None:
        found = compute()
        cache.set(name, found, seconds)
    return found
