"""Figures counted over a whole register, kept in Django's cache for a while (the admin home, the dashboard).

Counting a province's register (a million reports and monthly-plan rows) takes seconds; a page
must not. Such figures are kept for DUBAN_DASHBOARD_CACHE_SECONDS (0: never kept) under a key that
holds the plan and the end of its latest finished supervision run (and its latest month close or
reopen), so a run or a close renews them at once;
reports and plans entered meanwhile show at the latest when the figures expire. Pages that show
cached figures say when they were counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, OuterRef, Subquery
from django.utils import translation

from .models import MonthClose, Plan, SupervisionRun

T = TypeVar("T")
VERSION = 1  # bump when a cached value changes shape


def run_stamp(plan: Plan) -> str:
    """The end of the plan's latest finished supervision run, and its latest month close or reopen
    (月度锁定: a closed month's figures are its snapshot's), in one query."""
    runs = SupervisionRun.objects.filter(plan=OuterRef("pk")).finished()
    closes = MonthClose.objects.filter(plan=OuterRef("pk"))

    def latest(queryset, field: str):
        return Subquery(queryset.order_by().values("plan").annotate(last=Max(field)).values("last")[:1])

    row = (
        Plan.objects.filter(pk=plan.pk)
        .annotate(run=latest(runs, "finished_at"), closed=latest(closes, "closed_at"), reopened=latest(closes, "reopened_at"))
        .values_list("run", "closed", "reopened")
        .first()
    )
    last, closed, reopened = row or (None, None, None)
    stamp = last.isoformat() if last else "-"
    if closed or reopened:
        stamp += f"/{closed.isoformat() if closed else '-'}/{reopened.isoformat() if reopened else '-'}"
    return stamp


def cached(name: str, plan: Plan, compute: Callable[[], T], *, fresh: bool = False) -> T:
    """compute() from the cache, or computed and kept when absent, expired or `fresh` is asked for."""
    seconds = settings.DUBAN_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"duban:figures:{VERSION}:{plan.pk}:{run_stamp(plan)}:{translation.get_language()}:{name}"
    found = None if fresh else cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def kept(name: str, plan: Plan, compute: Callable[[], T], renew: Callable[[], None], *, fresh: bool = False) -> T:
    """compute() kept until the plan's next run, renewed in the background once older than the cache time.

    For figures whose counting takes seconds on a large register (the dashboard's cells): a request
    never waits for them once they have been counted (after each supervision run). They are kept
    for DUBAN_DASHBOARD_KEEP_SECONDS under the run's key; a request that finds them older than
    DUBAN_DASHBOARD_CACHE_SECONDS gets them as they are and `renew()` is called once (it queues their
    counting), so reports entered meanwhile show a little later, as with cached().
    """
    seconds = settings.DUBAN_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"duban:figures:{VERSION}:{plan.pk}:{run_stamp(plan)}:{name}"  # numbers only: any language
    found = None if fresh else cache.get(key)
    now = time.time()
    if found is None:
        found = (now, compute())
        cache.set(key, found, max(seconds, settings.DUBAN_DASHBOARD_KEEP_SECONDS))
    elif now - found[0] > seconds and cache.add(f"{key}:renewing", 1, seconds):
        renew()
    return found[1]
