"""Gather what the rules need for every item of a plan, in a fixed number of queries per chunk.

The rules themselves (targets.engine.rules) are pure functions over targets.engine.facts; this module only reads
the database and builds ItemFacts. Items are read in chunks of CHUNK ids so memory stays bounded on
a 100k-project register; for the bureau's few hundred items that is one chunk.

Each chunk is five range scans in item order (items, checkpoints, reports, milestones, overrides),
grouped per item with itertools.groupby so no Python code runs per row. With more than one chunk,
a thread reads the next chunk on the caller's connection (inside its transaction) while the caller
evaluates the current one: the database works while Python evaluates (benchmarks/supervise.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby, starmap
from operator import itemgetter
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, DateField, F, Q, QuerySet, When

from .. import rollups
from ..choices import ActualSource
from ..models import Checkpoint, Milestone, Plan, ProgressReport, StatusOverride, Target, TrackedItem
from . import judging, rules
from .facts import ItemFacts, ItemStatus, MilestoneFacts, ReportFacts, Thresholds

CHUNK = 10_000
ITEM_FIELDS = (
    "pk", "kind", "comparator", "target_value", "schedule_mode", "period_start", "period_end",
    "threshold_green", "threshold_red", "threshold_blue",
)  # fmt: skip
READ_AHEAD = 1  # chunks read and waiting, besides the one being read and the one being evaluated
T = TypeVar("T")

# Row helpers: rows come as (item_id, ...) tuples in item order and are grouped per item without a
# Python loop per row. REST feeds ReportFacts and MilestoneFacts positionally (their field order).
FIRST = itemgetter(0)
REST = itemgetter(slice(1, None))
DATE_VALUE = itemgetter(1, 2)

# How each goal is judged (targets.engine.judging), read with the goals in one query.
GOAL_FIELDS = (
    "pk", "metric_kind", "actual_source", "rollup", "judging_kind", "cadence", "publication_lag_days", "curve", "tolerance",
)  # fmt: skip


def plan_thresholds(plan: Plan) -> Thresholds:
    return Thresholds(
        green=plan.threshold_green,
        red=plan.threshold_red,
        blue=plan.threshold_blue,
        due_soon_days=plan.due_soon_days,
        milestone_red_months=plan.milestone_red_months,
        report_due_day=plan.report_due_day,
        forecast_margin=plan.forecast_margin,
    )


def item_thresholds(base: Thresholds, green: Decimal | None, red: Decimal | None, blue: Decimal | None) -> Thresholds:
    if green is None and red is None and blue is None:
        return base  # the common case: share one object
    overrides = {name: value for name, value in (("green", green), ("red", red), ("blue", blue)) if value is not None}
    return dataclasses.replace(base, **overrides)


def item_id_chunks(plan: Plan, item_ids: list[int] | None = None) -> Iterator[tuple[int, int]]:
    """Inclusive (low, high) id ranges of at most CHUNK items."""
    ids = (
        item_ids
        if item_ids is not None
        else list(TrackedItem.objects.published().filter(plan=plan).order_by("pk").values_list("pk", flat=True))
    )
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        yield part[0], part[-1]


@dataclass
class ChunkRows:
    """The rows of one chunk of items, each list in item order."""

    items: list[tuple]
    checkpoints: list[tuple]
    reports: list[tuple]
    milestones: list[tuple]
    overrides: list[tuple]


def chunk_queries(plan: Plan, as_of: dt.date, low: int, high: int, *, pending: bool = False) -> dict[str, QuerySet]:
    """The five range scans of one chunk (ChunkRows' fields), as unevaluated querysets.

    A range may hold items of another plan (ids interleave when plans are built side by side):
    their rows are read and ignored.
    """
    in_range = Q(item_id__gte=low, item_id__lte=high)
    # A milestone done after as_of was not done yet on as_of.
    done_by = Case(When(actual_date__lte=as_of, then=F("actual_date")), default=None, output_field=DateField())
    valid = Q(valid_from__lte=as_of) & (Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
    return {
        # A draft goal (year roll-over) is not evaluated until staff publish it.
        "items": TrackedItem.objects.published()
        .filter(plan=plan, pk__gte=low, pk__lte=high)
        .order_by("pk")
        .values_list(*ITEM_FIELDS),
        "checkpoints": Checkpoint.objects.filter(in_range)
        .order_by("item_id", "date")
        .values_list("item_id", "date", "expected_value"),
        # Only approved figures count (审核); a page preview also shows those awaiting review.
        "reports": (ProgressReport.objects.for_preview() if pending else ProgressReport.objects.counted())
        .filter(in_range, as_of__lte=as_of)
        .order_by("item_id", "as_of")
        .values_list("item_id", "as_of", "period", "value"),
        "milestones": Milestone.objects.filter(in_range)
        .annotate(done_by=done_by)
        .order_by("item_id", "planned_date", "pk")
        .values_list("item_id", "pk", "kind", "title", "planned_date", "done_by"),
        "overrides": StatusOverride.objects.filter(in_range, valid)
        .order_by("item_id", "valid_from", "pk")
        .values_list("item_id", "status", "reason"),
    }


def read_chunk(plan: Plan, as_of: dt.date, low: int, high: int, *, pending: bool = False) -> ChunkRows:
    return ChunkRows(**{name: list(qs) for name, qs in chunk_queries(plan, as_of, low, high, pending=pending).items()})


def gather(plan: Plan, as_of: dt.date) -> Iterator[list[ItemFacts]]:
    """Yield the ItemFacts of the plan's items on as_of, one list per chunk.

    The chunks are read ahead (read_ahead): the caller must not use the database until it has
    consumed every chunk or closed the generator.
    """
    base = plan_thresholds(plan)
    goals = {row[0]: row[1:] for row in Target.objects.filter(plan=plan).values_list(*GOAL_FIELDS)}
    computed = rollups.compute_all(plan, as_of) if any(goal[1] == ActualSource.ROLLUP for goal in goals.values()) else {}
    ranges = list(item_id_chunks(plan))
    for rows in read_ahead(lambda low, high: read_chunk(plan, as_of, low, high), ranges):
        yield build_chunk(rows, base, goals, computed)


def evaluate_item(item: TrackedItem, as_of: dt.date, *, pending: bool = False) -> ItemStatus:
    """One item's lights on as_of from what is in the database now.

    The item page shows it beside the last run's snapshot, so a unit sees at once what its new
    report does to the colour (pending=True: reports awaiting review count, marked so on the page);
    only supervision runs write snapshots and open findings.
    """
    plan = item.plan
    goal = Target.objects.filter(pk=item.pk).values_list(*GOAL_FIELDS[1:]).first()
    goals = {item.pk: goal} if goal else {}
    computed = rollups.compute_all(plan, as_of) if goal and goal[1] == ActualSource.ROLLUP else {}
    (facts,) = build_chunk(read_chunk(plan, as_of, item.pk, item.pk, pending=pending), plan_thresholds(plan), goals, computed)
    return rules.evaluate(facts, as_of)


def build_chunk(rows: ChunkRows, base: Thresholds, goals: dict[int, tuple], computed: dict[str, Decimal]) -> list[ItemFacts]:
    """ItemFacts from a chunk's rows, grouped per item with itertools.groupby (the per-row work in C)."""
    checkpoints = {item_id: tuple(map(DATE_VALUE, group)) for item_id, group in groupby(rows.checkpoints, FIRST)}
    reports = {item_id: tuple(starmap(ReportFacts, map(REST, group))) for item_id, group in groupby(rows.reports, FIRST)}
    milestones = {item_id: tuple(starmap(MilestoneFacts, map(REST, group))) for item_id, group in groupby(rows.milestones, FIRST)}
    overrides = {item_id: (status, reason) for item_id, status, reason in rows.overrides}  # the latest valid one wins

    no_goal = (None, None, "", "", "", None, "", rules.APPROX_TOLERANCE)
    chunk: list[ItemFacts] = []
    append = chunk.append
    owes_reports = judging.owes_reports
    for pk, kind, comparator, target_value, mode, start, end, green, red, blue in rows.items:
        metric_kind, source, rollup_key, judging_kind, cadence, lag_days, curve, tolerance = goals.get(pk, no_goal)
        from_rollup = source == ActualSource.ROLLUP
        append(
            ItemFacts(
                item_id=pk,
                kind=kind,
                metric_kind=metric_kind,
                comparator=comparator,
                target_value=target_value,
                schedule_mode=mode,
                period_start=start,
                period_end=end,
                checkpoints=checkpoints.get(pk, ()),
                reports=reports.get(pk, ()),
                milestones=milestones.get(pk, ()),
                actual_from_rollup=from_rollup,
                rollup_value=computed.get(rollup_key) if from_rollup else None,
                expects_monthly_reports=owes_reports(kind, metric_kind, source, mode, cadence),
                thresholds=item_thresholds(base, green, red, blue),
                override=overrides.get(pk),
                judging_kind=judging_kind,
                cadence=cadence,
                lag_days=lag_days,
                curve=curve,
                tolerance=tolerance,
            )
        )
    return chunk


def read_ahead(read: Callable[[int, int], T], ranges: list[tuple[int, int]], using: str = DEFAULT_DB_ALIAS) -> Iterator[T]:
    """Yield read(low, high) for each range, reading the next ranges in a thread meanwhile.

    The thread shares this thread's connection (Django's inc_thread_sharing), so it reads inside
    the caller's transaction: the database works on the next chunk while this thread evaluates the
    current one. Only the reader uses the connection until the generator is exhausted or closed.
    """
    if len(ranges) <= 1:
        yield from (read(low, high) for low, high in ranges)
        return
    connection = connections[using]
    done = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def reader() -> None:
        connections[using] = connection  # the ORM in this thread uses the caller's connection
        try:
            for low, high in ranges:
                if stop.is_set():
                    return
                done.put((read(low, high), None))
        except BaseException as exc:  # handed to the caller, raised there
            done.put((None, exc))
        finally:
            del connections[using]

    connection.inc_thread_sharing()
    thread = threading.Thread(target=reader, name="duban-gather", daemon=True)
    thread.start()
    try:
        for _ in ranges:
            rows, exc = done.get()
            if exc is not None:
                raise exc
            yield rows
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting to hand over a chunk
            with contextlib.suppress(queue.Empty):
                done.get(timeout=0.05)
        thread.join()
        connection.dec_thread_sharing()
