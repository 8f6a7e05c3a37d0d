"""The supervision run: evaluate every item of a plan on a date and keep the register up to date.

    supervise(plan, as_of) -> RunSummary

For each date it evaluates (the missed month ends first, when the job did not run for a while),
it stores one StatusSnapshot per item, a StatusEvent per colour change, and hands the statuses to
targets.findings, which opens, escalates and marks findings ready to close. Everything for a call
happens in one transaction, under a per-plan lock on PostgreSQL, and every write is an upsert or an
insert guarded by a unique constraint: running twice, concurrently, or again after a retry leaves
the same rows as running once (the SupervisionRun row included: it records the date's figures,
read back from the register, not what one attempt happened to write).

The run is set-based: a fixed number of queries per chunk of items (targets.engine.evaluation) and per
write; on PostgreSQL the writes are COPY streams (targets.engine.bulk). Figures for a 100k-project
register are in README.md (benchmarks/supervise.py).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation

from .. import findings
from ..choices import VerdictOutcome
from ..models import Plan, StatusEvent, StatusSnapshot, SupervisionRun, TrackedItem, Verdict
from . import bulk, rules
from .evaluation import gather
from .facts import ItemStatus, Status, worse
from .schedule import month_end

log = logging.getLogger("targets.supervision")  # the name its log lines have always carried (moved to engine/)

BATCH = 2_000


@dataclass
class RunSummary:
    plan: int
    dates: list[dt.date] = field(default_factory=list)
    items: int = 0
    counts: Counter = field(default_factory=Counter)  # colours on the last date
    events: int = 0
    opened: int = 0
    escalated: int = 0
    ready_to_close: int = 0

    def line(self) -> str:
        colours = ", ".join(f"{status} {self.counts.get(status, 0)}" for status in Status)
        dates = ", ".join(d.isoformat() for d in self.dates)
        return (
            f"plan {self.plan} evaluated on {dates}: {self.items} items ({colours}); "
            f"{self.events} colour changes; findings opened {self.opened}, escalated {self.escalated}, "
            f"ready to close {self.ready_to_close}"
        )


def dates_to_evaluate(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """as_of, preceded by the month ends missed since the last run (catch-up)."""
    last = SupervisionRun.objects.filter(plan=plan, as_of__lt=as_of).order_by("-as_of").values_list("as_of", flat=True).first()
    dates: list[dt.date] = []
    if last is not None:
        year, month = last.year, last.month
        while True:
            point = month_end(year, month)
            if point >= as_of:
                break
            if point > last and plan.period_start <= point <= plan.period_end:
                dates.append(point)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*dates, as_of]


class RunInProgress(Exception):
    """Another run of the plan held its lock for longer than DUBAN_SUPERVISE_LOCK_TIMEOUT."""


def lock_plan(plan: Plan) -> None:
    """Serialise concurrent runs of one plan (PostgreSQL); SQLite serialises writers anyway.

    Waits at most DUBAN_SUPERVISE_LOCK_TIMEOUT seconds, so a hung run cannot queue every later one
    behind it forever; the timeout applies to taking this lock only, not to the run's own writes.
    """
    if connection.vendor == "postgresql":
        timeout_ms = max(1, int(settings.DUBAN_SUPERVISE_LOCK_TIMEOUT * 1000))
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"])
            try:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x44554241, plan.pk])  # "DUBA"
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
                    raise RunInProgress(f"another run in progress for plan {plan.year}") from exc
                raise
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds millions of short-lived tuples.

    Nothing the run builds forms reference cycles, so reference counting frees it all; with the
    collector on, its full passes over the live objects took about half the time of gathering the
    facts on a 100k-item register.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def supervise(plan: Plan, as_of: dt.date) -> RunSummary:
    summary = RunSummary(plan=plan.year)
    # Findings and escalations keep their text: in the site's language, whoever started the run
    # (the scheduled task, the command, or staff from the admin in English).
    with gc_paused(), translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        lock_plan(plan)
        for date in dates_to_evaluate(plan, as_of):
            evaluate_date(plan, date, summary)
    return summary


def evaluate_date(plan: Plan, as_of: dt.date, summary: RunSummary) -> None:
    run, _ = SupervisionRun.objects.update_or_create(plan=plan, as_of=as_of, defaults={"started_at": timezone.now()})
    previous_date = (
        SupervisionRun.objects.filter(plan=plan, as_of__lt=as_of).order_by("-as_of").values_list("as_of", flat=True).first()
    )
    statuses: list[ItemStatus] = []
    for chunk in gather(plan, as_of):
        statuses.extend(rules.evaluate(facts, as_of) for facts in chunk)

    write_snapshots(plan, as_of, statuses)
    write_verdicts(plan, as_of, statuses)
    events = write_events(plan, as_of, previous_date, statuses)
    outcome = findings.maintain(plan, as_of, statuses)

    counts = Counter(str(s.status) for s in statuses)
    run.items = len(statuses)
    run.counts = dict(counts)
    run.opened, run.escalated, run.ready_to_close = outcome.opened, outcome.escalated, outcome.ready_to_close
    run.finished_at = timezone.now()
    run.save()

    summary.dates.append(as_of)
    summary.items = len(statuses)
    summary.counts = counts
    summary.events += events
    summary.opened += outcome.opened
    summary.escalated += outcome.escalated
    summary.ready_to_close = outcome.ready_to_close


SNAPSHOT_FIELDS = [
    "status", "value_status", "milestone_status", "reporting_status", "expected", "actual", "ratio", "gap",
    "forecast", "judged_on", "overridden", "reasons",
]  # fmt: skip
SNAPSHOT_COLUMNS = ["item_id", "date", *SNAPSHOT_FIELDS]


def write_snapshots(plan: Plan, as_of: dt.date, statuses: list[ItemStatus]) -> None:
    """Upsert one snapshot per item for the date (a re-run overwrites the same rows).

    The day's first run (every scheduled run of a new date) has nothing to upsert: under the plan's
    lock no other run can write the date's rows, so they are copied straight into the table.
    """
    fresh = not StatusSnapshot.objects.filter(date=as_of, item__plan=plan).exists()
    bulk.insert(
        StatusSnapshot,
        SNAPSHOT_COLUMNS,
        (snapshot_row(as_of, s) for s in statuses),
        unique_fields=["item_id", "date"],
        update_fields=SNAPSHOT_FIELDS,
        fresh=fresh,
    )


def snapshot_row(as_of: dt.date, s: ItemStatus) -> tuple:
    """A snapshot as values of SNAPSHOT_COLUMNS."""
    return (
        s.item_id, as_of, str(s.status), str(s.value_status), str(s.milestone_status), str(s.reporting_status),
        s.expected, s.actual, s.ratio, s.gap, s.forecast, s.judged_on, s.overridden, reasons_of(s),
    )  # fmt: skip


def reasons_of(s: ItemStatus) -> list[dict]:
    """The reasons as stored: dates and Decimals are written as text by targets.engine.bulk (json_default)."""
    return [{"code": r.code, **r.params} for r in s.reasons]


def write_events(plan: Plan, as_of: dt.date, previous_date: dt.date | None, statuses: list[ItemStatus]) -> int:
    """One StatusEvent per item whose colour differs from the previous evaluation date."""
    before: dict[int, str] = {}
    if previous_date is not None:
        before = dict(StatusSnapshot.objects.filter(date=previous_date, item__plan=plan).values_list("item_id", "status"))
    changes = [
        (s.item_id, as_of, before[s.item_id], str(s.status), reasons_of(s))
        for s in statuses
        if s.item_id in before and before[s.item_id] != s.status
    ]
    # A re-run that no longer sees a change on this date takes back the event it wrote before.
    changed = {item_id for item_id, *_rest in changes}
    existing = StatusEvent.objects.filter(date=as_of, item__plan=plan).values_list("pk", "item_id")
    stale = [pk for pk, item_id in existing if item_id not in changed]
    for start in range(0, len(stale), BATCH):
        StatusEvent.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    bulk.insert(
        StatusEvent,
        ["item_id", "date", "old_status", "new_status", "reasons"],
        changes,
        unique_fields=["item_id", "date"],
        update_fields=["old_status", "new_status", "reasons"],
    )
    return len(changes)


# --- final verdicts (年终评价) -------------------------------------------------------------------------

VERDICT_FIELDS = ["plan_id", "item_id", "decided_on", "outcome", "status", "expected", "actual", "reasons"]


def outcome_of(s: ItemStatus) -> str:
    """Met (green, blue), missed (red, and a yellow that nothing cleared), or not judged (grey: nothing
    to judge, e.g. a yes/no goal without a date). Reporting lapses do not change the verdict."""
    status = s.status if s.overridden else worse(s.value_status, s.milestone_status)
    if status in (Status.GREEN, Status.BLUE):
        return VerdictOutcome.MET
    if status == Status.GREY:
        return VerdictOutcome.NOT_JUDGED
    return VerdictOutcome.MISSED


def write_verdicts(plan: Plan, as_of: dt.date, statuses: list[ItemStatus]) -> None:
    """Upsert the final verdict of every item whose deadline has passed with its last figure in or
    overdue (a re-run on a later date, e.g. after a correction, replaces it)."""
    bulk.insert(
        Verdict,
        VERDICT_FIELDS,
        (
            (plan.pk, s.item_id, as_of, outcome_of(s), str(s.status), s.expected, s.actual, reasons_of(s))
            for s in statuses
            if s.final
        ),
        unique_fields=["item_id"],
        update_fields=VERDICT_FIELDS[2:],
    )


def closed_on(plan: Plan) -> dt.date | None:
    """The date the plan's last final verdict was made, once every item has one (two queries)."""
    items = TrackedItem.objects.published().filter(plan=plan).count()
    verdicts = Verdict.objects.filter(plan=plan).aggregate(count=models.Count("pk"), last=models.Max("decided_on"))
    if items and verdicts["count"] >= items:
        return verdicts["last"]
    return None


def open_after_period(as_of: dt.date) -> list[Plan]:
    """Plans whose period has ended before the date but whose items do not all have their final verdict."""
    return [plan for plan in Plan.objects.filter(period_end__lt=as_of).order_by("year") if closed_on(plan) is None]


def plans_for(as_of: dt.date, year: int | None = None) -> list[Plan]:
    """The plan of --plan YEAR, else every plan whose period contains the date and every earlier
    plan still waiting for final verdicts."""
    if year is not None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise Plan.DoesNotExist(f"No plan for {year}.")
        return [plan]
    current = list(Plan.objects.filter(period_start__lte=as_of, period_end__gte=as_of).order_by("year"))
    return sorted([*open_after_period(as_of), *current], key=lambda plan: plan.year)


def evaluation_date(plan: Plan, as_of: dt.date) -> dt.date:
    """A closed plan is never evaluated after the date of its final verdicts: re-running it later
    re-evaluates that date (after a correction, say) instead of inventing a later one."""
    if as_of > plan.period_end:
        closed = closed_on(plan)
        if closed is not None and as_of > closed:
            return closed
    return as_of


# Sent after a plan's run is committed, by the command's and the task's entry point: the dashboard
# counts its kept figures afresh (projects.dashboard.cells.warm), so the first page after a run is fast.
run_finished = Signal()  # sender: Plan, plan=Plan


def supervise_plans(as_of: dt.date | None = None, year: int | None = None) -> list[RunSummary]:
    """The entry point of the command and the scheduled task."""
    as_of = as_of or timezone.localdate()
    summaries = []
    for plan in plans_for(as_of, year):
        summaries.append(supervise(plan, evaluation_date(plan, as_of)))
        run_finished.send(sender=Plan, plan=plan)
    return summaries


def nothing_to_do_hint(as_of: dt.date) -> str:
    """What to type when no plan needs evaluating on the date (said by the command)."""
    latest = Plan.objects.filter(period_start__lte=as_of).order_by("-year").first() or Plan.objects.order_by("year").first()
    if latest is None:
        return f"No plan covers {as_of} and none is loaded: load one first (python manage.py loaddata plan_2023)."
    return (
        f"No plan covers {as_of} and every earlier plan has its final verdicts. To re-evaluate one, type: "
        f"python manage.py supervise --plan {latest.year}"
    )
