"""The supervision run's upkeep of the finding register (督办事项): opening, relapses, ready-to-close,
withdrawing unconfirmed drafts, escalating.

maintain() is called by the supervision run for each evaluated date. It is idempotent: a finding is
keyed by item, cause and milestone, and a partial unique constraint allows one open finding per key,
so repeated or concurrent runs insert nothing twice (inserts ignore conflicts); escalations are
unique per finding and level. Findings never close themselves: an item back on track only marks its
finding ready to close; 销号 is a staff action (targets.findings.actions.close_out).

Causes (domain.md Part 3.1): the item turns red; it is yellow at two consecutive month-end
evaluations; a start, completion or statistics-entry milestone passes its date undone.
Escalation ladder (per plan): level 1 reminder on opening (the contact); level 2 warning after
plan.escalate_warning_days open or once the deadline has passed (+ the unit head); level 3
supervision order after plan.escalate_supervision_days or when red persists across two month-end
evaluations (+ the responsible leader).

Escalation follows confirmation (docs/findings.md): an automatic finding opens provisional (待确认)
and stays at level 1 until staff confirm it; levels 2 and 3 count their days from the confirmation,
and a draft whose item recovers before anyone confirmed it is withdrawn by the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import formatting
from ..choices import FindingCause, FindingEventKind, FindingLevel, FindingSource, FindingState, StatusChoice
from ..engine import bulk, workdays
from ..engine.facts import ItemStatus, Status
from ..models import Department, Escalation, Finding, Milestone, Person, Plan, ProgressReport, StatusSnapshot, TrackedItem
from ..querysets import open_finding
from . import rules
from .followup import reopen_closed
from .guards import holiday_overrides
from .rules import ON_TRACK, Want, is_month_end, previous_month_end, wanted_findings

# The columns open_findings() fills; the others take their defaults.
FINDING_FIELDS = [
    "item_id", "milestone_id", "cause", "dedupe_key", "state", "level", "previous_id", "opened_on", "light_when_found",
    "expected", "actual", "gap", "days_overdue", "description", "problems", "department_id", "responsible_leader_id",
    "contact_id", "deadline",
]  # fmt: skip


@dataclass
class Outcome:
    opened: int = 0
    escalated: int = 0
    ready_to_close: int = 0


def maintain(plan: Plan, as_of: dt.date, statuses: list[ItemStatus]) -> Outcome:
    outcome = Outcome()
    by_item = {s.item_id: s for s in statuses}
    month_end_run = is_month_end(as_of)
    before = previous_month_end(as_of)
    earlier = dict(StatusSnapshot.objects.filter(item__plan=plan, date=before).values_list("item_id", "status"))
    yellow_before = {item_id for item_id, status in earlier.items() if status == Status.YELLOW}
    red_before = {item_id for item_id, status in earlier.items() if status == Status.RED}

    fulfilled = set(Milestone.objects.filter(item__plan=plan, fulfilled_by__isnull=False).values_list("pk", flat=True).distinct())
    wants = wanted_findings(statuses, yellow_before, month_end_run, fulfilled)
    open_keys = set(Finding.objects.filter(item__plan=plan).open().values_list("dedupe_key", flat=True))
    new = not_yet_handled([want for key, want in wants.items() if key not in open_keys], as_of)
    # A lag that comes back after 销号 reopens the closed finding, not a new one.
    new = reopen_relapses(as_of, new)
    overrides = holiday_overrides()
    if new:
        open_findings(plan, as_of, new, overrides)

    outcome.ready_to_close = mark_ready(plan, by_item, as_of)
    escalate(plan, as_of, by_item, red_before, before)
    # The date's figures are read back rather than counted as written, so a re-run, a retry or a
    # concurrent run of the date records what one run records.
    outcome.opened = (
        Finding.objects.filter(item__plan=plan, opened_on=as_of, source=FindingSource.AUTOMATIC)
        .exclude(cause=FindingCause.MANUAL)
        .count()
    )
    outcome.escalated = Escalation.objects.filter(finding__item__plan=plan, date=as_of, level__gt=FindingLevel.REMINDER).count()
    return outcome


def not_yet_handled(wants: list[Want], as_of: dt.date) -> list[Want]:
    """Drop wants whose lag staff already closed out or dismissed and that has not recovered since.

    A closed finding stays closed; only when the item lags *again* (it was on track at some
    evaluation after the close-out) does a new finding open, linked to the old one. A missed
    milestone that was closed out is not raised again. A withdrawn draft (back on track on the day
    it was withdrawn) holds back only evaluations of that day or earlier: a re-run of the past.
    """
    left_on: dict[str, dt.date] = {}
    withdrawn_on: dict[str, dt.date] = {}
    keys = [w.key for w in wants]
    closed = Finding.objects.closed().exclude(state=FindingState.WITHDRAWN)
    for done in bulk.among(closed, "dedupe_key", keys):
        for key, closed_on in done.values_list("dedupe_key", "closed_on"):
            left_on[key] = max(left_on.get(key, closed_on), closed_on)
    for drafts in bulk.among(Finding.objects.filter(state=FindingState.WITHDRAWN), "dedupe_key", keys):
        for key, closed_on in drafts.values_list("dedupe_key", "closed_on"):
            withdrawn_on[key] = max(withdrawn_on.get(key, closed_on), closed_on)
    wants = [w for w in wants if as_of > withdrawn_on.get(w.key, dt.date.min)]
    if not left_on:
        return wants
    items = sorted({w.item_id for w in wants if w.key in left_on})
    recovered: dict[int, dt.date] = {}
    since = min(left_on.values())
    for on_track in bulk.among(StatusSnapshot.objects.filter(date__gt=since, status__in=ON_TRACK), "item_id", items):
        for item_id, date in on_track.values_list("item_id", "date"):
            recovered[item_id] = max(recovered.get(item_id, date), date)

    return [want for want in wants if rules.raised_again(want, left_on.get(want.key), recovered.get(want.item_id))]


def reopen_relapses(as_of: dt.date, wants: list) -> list:
    """A lag that comes back reopens its closed-out finding instead of opening a new one.

    `wants` are the lags the run is about to open (rules.Want, already filtered to those
    that recovered after their close-out). Those whose key has a closed-out finding reopen the most
    recent one (level raised by one, on the timeline as a relapse); the rest are returned to be opened.
    A dismissed finding is not reopened: staff judged it no problem, so a new lag is a new finding.
    """
    if not wants:
        return wants
    closed: dict[str, Finding] = {}
    for finding in (
        Finding.objects.filter(state=FindingState.CLOSED, dedupe_key__in=[w.key for w in wants])
        .select_related("item__plan")
        .order_by("dedupe_key", "-closed_on", "-pk")
    ):
        closed.setdefault(finding.dedupe_key, finding)
    left = []
    for want in wants:
        finding = closed.get(want.key)
        if finding is None:
            left.append(want)
            continue
        reason = _("Lagging again on %(date)s (%(status)s).") % {
            "date": as_of.isoformat(),
            "status": StatusChoice(want.status.status).label,
        }
        reopen_closed(finding, None, reason, as_of, kind=FindingEventKind.RELAPSED, raise_level=True)
    return left


class Texts:
    """The sentences of describe(), translated once per run instead of once per finding."""

    def __init__(self) -> None:
        self.milestone = _("Milestone “%(title)s” was due on %(date)s and is %(days)s days overdue.")
        self.fulfils = _("It is also milestone “%(title)s” of %(code)s.")
        self.status = _("Status %(status)s on %(date)s.")
        self.expected = _("Expected %(expected)s by %(point)s, actual %(actual)s (ratio %(ratio)s).")
        self.missing = _("Reports missing for: %(months)s.")
        self.lapsed = _("Reports not filed on time for: %(months)s (covered by a later cumulative report).")
        self.labels = {value: str(label) for value, label in StatusChoice.choices}


def describe(want: Want, milestones: dict[int, tuple], texts: Texts | None = None) -> str:
    """``milestones``: id -> (title, planned date[, title and item code of the milestone it fulfils])."""
    texts = texts or Texts()
    s = want.status
    if want.cause == FindingCause.MILESTONE_MISSED:
        title, planned, *fulfils = milestones.get(want.milestone_id, ("", None))
        text = texts.milestone % {
            "title": title,
            "date": planned.isoformat() if planned else "—",
            "days": want.days_overdue if want.days_overdue is not None else "—",
        }
        if fulfils and fulfils[0]:
            text += " " + texts.fulfils % {"title": fulfils[0], "code": fulfils[1]}
        return text
    parts = [texts.status % {"status": texts.labels[s.status], "date": s.as_of.isoformat()}]
    if s.expected is not None:
        parts.append(
            texts.expected
            % {
                "expected": formatting.number(s.expected),
                "point": (s.judged_on or s.as_of).isoformat(),
                "actual": formatting.number(s.actual),
                "ratio": formatting.percent(s.ratio * 100) if s.ratio is not None else formatting.EMPTY,
            }
        )
    if want.cause == FindingCause.REPORTING_LAPSE:
        return texts.lapsed % {"months": ", ".join(p.strftime("%Y-%m") for p in s.lapsed_periods)}
    if s.missing_periods:
        parts.append(texts.missing % {"months": ", ".join(p.strftime("%Y-%m") for p in s.missing_periods)})
    return " ".join(parts)


def open_findings(plan: Plan, as_of: dt.date, new: list[Want], overrides: dict[dt.date, bool]) -> int:
    item_ids = sorted({w.item_id for w in new})
    owners: dict[int, tuple[int | None, int | None, int | None]] = {}
    problems: dict[int, str] = {}
    cooperating: dict[int, list[int]] = {}
    for items in bulk.among(TrackedItem.objects.all(), "pk", item_ids):
        owners.update(
            (pk, (dept, leader, contact))
            for pk, dept, leader, contact in items.values_list("pk", "lead_department_id", "responsible_leader_id", "contact_id")
        )
    with_problems = ProgressReport.objects.counted().filter(as_of__lte=as_of).exclude(problems="").order_by("item_id", "-as_of")
    if connection.vendor == "postgresql":
        with_problems = with_problems.distinct("item_id")  # only the latest per item leaves the server
    for reports in bulk.among(with_problems, "item_id", item_ids):
        for item_id, text in reports.values_list("item_id", "problems"):
            problems.setdefault(item_id, text)  # the latest report's problems
    through = TrackedItem.cooperating_departments.through
    for links in bulk.among(through.objects.all(), "trackeditem_id", item_ids):
        for item_id, dept_id in links.values_list("trackeditem_id", "department_id"):
            cooperating.setdefault(item_id, []).append(dept_id)
    milestones = {
        pk: (title, planned, goal_title, goal_code)
        for rows in bulk.among(Milestone.objects.all(), "pk", [w.milestone_id for w in new if w.milestone_id])
        for pk, title, planned, goal_title, goal_code in rows.values_list(
            "pk", "title", "planned_date", "fulfils__title", "fulfils__item__code"
        )
    }
    keys = [w.key for w in new]
    earlier: dict[str, int] = {}
    for closed in bulk.among(Finding.objects.closed().order_by("dedupe_key", "-pk"), "dedupe_key", keys):
        for key, pk in closed.values_list("dedupe_key", "pk"):
            earlier.setdefault(key, pk)  # the most recent earlier finding of the same lag

    deadline = workdays.add_workdays(as_of, plan.finding_deadline_workdays, overrides)
    texts = Texts()
    opened, reminder = FindingState.OPEN.value, FindingLevel.REMINDER.value  # plain values for COPY
    rows = []
    for want in new:
        dept, leader, contact = owners.get(want.item_id, (None, None, None))
        s = want.status
        rows.append(
            (
                want.item_id, want.milestone_id, str(want.cause), want.key, opened, reminder,
                earlier.get(want.key), as_of, str(s.status), s.expected, s.actual, s.gap, want.days_overdue,
                describe(want, milestones, texts), problems.get(want.item_id, ""), dept, leader, contact, deadline,
            )
        )  # fmt: skip
    bulk.insert(Finding, FINDING_FIELDS, rows, ignore_conflicts=True)

    created = []
    for found in bulk.among(Finding.objects.open().filter(opened_on=as_of), "dedupe_key", keys):
        created += found.values_list("pk", "item_id")
    links = [(pk, dept_id) for pk, item_id in created for dept_id in cooperating.get(item_id, [])]
    bulk.insert(Finding.cooperating_departments.through, ["finding_id", "department_id"], links, ignore_conflicts=True)
    return len(created)


def mark_ready(plan: Plan, by_item: dict[int, ItemStatus], as_of: dt.date | None = None) -> int:
    """Flag open automatic findings whose item is back on track (and unflag those lagging again).

    A draft no one confirmed (待确认) is not flagged but withdrawn: staff never took it up, so
    there is nothing to verify and close out; it stays on record as withdrawn. A reporting lapse is
    the exception: it stays, ready to close, for staff to confirm and close out.
    """
    ready, not_ready, withdrawn = [], [], []
    automatic = Finding.objects.filter(item__plan=plan).open().exclude(cause=FindingCause.MANUAL)
    for pk, item_id, cause, milestone_id, flagged, confirmed_at, opened_on in automatic.values_list(
        "pk", "item_id", "cause", "milestone_id", "ready_to_close", "confirmed_at", "opened_on"
    ):
        status = by_item.get(item_id)
        if status is None:
            continue
        back = rules.back_on_track(cause, milestone_id, status)
        step = rules.after_recovery(cause, back, flagged, confirmed_at is not None, opened_on, as_of)
        if step is not None:
            {rules.WITHDRAW: withdrawn, rules.READY: ready, rules.NOT_READY: not_ready}[step].append(pk)
    for rows in bulk.among(Finding.objects.all(), "pk", ready):
        rows.update(ready_to_close=True)
    for rows in bulk.among(Finding.objects.all(), "pk", not_ready):
        rows.update(ready_to_close=False)
    if withdrawn:
        withdraw(withdrawn, as_of)
    return Finding.objects.filter(item__plan=plan, ready_to_close=True).open().count()


def withdraw(pks: list[int], as_of: dt.date) -> None:
    """Withdraw unconfirmed drafts whose item recovered, one history row each (the run, no user)."""
    reason = _("Withdrawn by the supervision run: back on track on %(date)s before staff confirmed it.") % {
        "date": as_of.isoformat()
    }
    for rows in bulk.among(Finding.objects.open().filter(confirmed_at__isnull=True), "pk", pks):
        for finding in rows:
            finding.state = FindingState.WITHDRAWN
            finding.dismissed_reason = reason
            finding.closed_on = as_of  # the day it left the register
            finding.save(update_fields=["state", "dismissed_reason", "closed_on"])


def confirmed_day(confirmed_at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(confirmed_at) if confirmed_at is not None else None


def escalate(plan: Plan, as_of: dt.date, by_item: dict[int, ItemStatus], red_before: set[int], before: dt.date) -> int:
    """Raise open findings up the ladder; each level is recorded once, with who is told."""
    findings = list(
        Finding.objects.filter(item__plan=plan).open().values_list(
            "pk", "item_id", "opened_on", "deadline", "level", "department_id", "responsible_leader_id", "contact_id",
            "reopened_on", "confirmed_at",
        )
    )  # fmt: skip
    if not findings:
        return 0
    reached = set(
        Escalation.objects.filter(open_finding("finding__"), finding__item__plan=plan).values_list("finding_id", "level")
    )
    heads = dict(Department.objects.filter(head__isnull=False).values_list("pk", "head_id"))
    people_ids = {pid for row in findings for pid in (row[6], row[7])} | set(heads.values())
    people = {
        pk: {"name": name, "email": email}
        for rows in bulk.among(Person.objects.all(), "pk", sorted(p for p in people_ids if p))
        for pk, name, email in rows.values_list("pk", "name", "email")
    }

    new_rows: list[tuple] = []
    raise_to: dict[int, list[int]] = {}
    for pk, item_id, opened_on, deadline, level, dept_id, leader_id, contact_id, reopened_on, confirmed_at in findings:
        # A reopened finding's ladder counts from the reopening, not from when it was first found.
        opened_on = max(opened_on, reopened_on or opened_on)
        status = by_item.get(item_id)
        confirmed_on = confirmed_day(confirmed_at)
        # Red at the last month end counts only if the finding was confirmed by then.
        red_persists = (
            status is not None
            and status.status == Status.RED
            and item_id in red_before
            and confirmed_on is not None
            and max(opened_on, confirmed_on) <= before
        )
        goal = rules.target_level(plan, as_of, opened_on, deadline, red_persists, confirmed_on)
        told = [contact_id]
        for step in range(FindingLevel.REMINDER, goal + 1):
            if step == FindingLevel.WARNING:
                told.append(heads.get(dept_id))
            if step == FindingLevel.SUPERVISION:
                told.append(leader_id)
            if (pk, step) in reached:
                continue
            recipients = [{"id": p, **people[p]} for p in dict.fromkeys(told) if p in people]
            reason = rules.escalation_reason(step, as_of, opened_on, deadline, red_persists)
            new_rows.append((pk, step, as_of, reason, recipients))
        if goal > level:
            raise_to.setdefault(goal, []).append(pk)
    bulk.insert(Escalation, ["finding_id", "level", "date", "reason", "recipients"], new_rows, ignore_conflicts=True)
    for goal, ids in raise_to.items():
        for rows in bulk.among(Finding.objects.filter(level__lt=goal), "pk", ids):
            rows.update(level=goal)
    return sum(1 for row in new_rows if row[1] > FindingLevel.REMINDER)
