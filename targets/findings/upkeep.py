"""The finding register (督办事项): opening, escalating, ready-to-close, close-out and extensions.

maintain() is called by the supervision run for each evaluated date. It is idempotent: a finding is
keyed by item, cause and milestone, and a partial unique constraint allows one open finding per key,
so repeated or concurrent runs insert nothing twice (inserts ignore conflicts); escalations are
unique per finding and level. Findings never close themselves: an item back on track only marks its
finding ready to close; 销号 is a staff action (close_out).

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

# Over 400 lines until it becomes the targets/findings/ package (issue 16): the run's upkeep of the register and the people's state changes, one service.

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk, followup, formatting, workdays
from . import finding_rules as rules
from .choices import (
    OPEN_FINDING_STATES,
    ExtensionDecision,
    FindingCause,
    FindingEventKind,
    FindingLevel,
    FindingSource,
    FindingState,
    StatusChoice,
)
from .facts import ItemStatus, Status
from .finding_rules import ON_TRACK, Want, is_month_end, previous_month_end, wanted_findings
from .models import (
    Department,
    Escalation,
    ExtensionRequest,
    Finding,
    FindingUpdate,
    HolidayOverride,
    Milestone,
    Person,
    Plan,
    ProgressReport,
    StatusSnapshot,
    TrackedItem,
)
from .permissions import is_bureau_staff, user_department_id
from .querysets import open_finding

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


def holiday_overrides() -> dict[dt.date, bool]:
    return dict(HolidayOverride.objects.values_list("date", "is_workday"))


# --- The run's part ---------------------------------------------------------------------------------


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
    # A lag that comes back after 销号 reopens the closed finding (targets.followup), not a new one.
    new = followup.reopen_relapses(as_of, new)
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


# --- Staff and unit actions -------------------------------------------------------------------------


def may_work_on(finding: Finding | None, user) -> bool:
    """Measures, evidence, progress notes, extension and close-out requests (finding_rules.may_work_on)."""
    if finding is None or not rules.is_open(finding.state):
        return False
    staff = is_bureau_staff(user)
    department_id = None if staff else user_department_id(user)
    return rules.may_work_on(finding.state, finding.department_id, staff=staff, department_id=department_id)


def may_confirm(finding: Finding, user) -> bool:
    return rules.may_confirm(finding.state, finding.confirmed_at is not None, staff=is_bureau_staff(user))


def manual_initial(today: dt.date, plan: Plan | None) -> dict:
    """The starting values of a finding staff enter by hand (deadline from the current plan)."""
    if plan is None:
        return rules.manual_initial(today, None, {})
    return rules.manual_initial(today, plan.finding_deadline_workdays, holiday_overrides())


@transaction.atomic
def enter_by_hand(finding: Finding, user, *, at: dt.datetime | None = None) -> Finding:
    """Save a finding bureau staff raise themselves (人工): the item's owners where left blank,
    confirmed at once by the same user, in progress when it comes with measures."""
    if not is_bureau_staff(user):
        raise PermissionDenied
    item = finding.item
    fields = rules.manual_finding(
        rules.Owners(finding.department_id, finding.responsible_leader_id, finding.contact_id),
        rules.Owners(item.lead_department_id, item.responsible_leader_id, item.contact_id),
        finding.measures,
    )
    state = fields.pop("state")
    for name, value in fields.items():
        setattr(finding, name, value)
    finding.confirmed_at, finding.confirmed_by = at or timezone.now(), user
    if state is not None:
        finding.state = state
    finding._history_user = user
    finding.save()
    return finding


def _require_state(finding: Finding, allowed: Iterable[str], action: str) -> None:
    if finding.state not in allowed:
        raise ValidationError(
            _("A finding in state “%(state)s” cannot be %(action)s.") % {"state": finding.get_state_display(), "action": action},
            code="invalid_state",
        )


@transaction.atomic
def confirm(finding: Finding, user, *, at: dt.datetime | None = None) -> bool:
    """Staff confirm a provisional finding (待确认 → 已交办); False when there was nothing to confirm.

    From now on it climbs the escalation ladder, and its rectification deadline is at least the
    plan's working days from today, since the unit is only now asked to act on it.
    """
    if finding.confirmed_at is not None or not finding.is_open:
        return False
    at = at or timezone.now()
    finding.confirmed_at, finding.confirmed_by = at, user
    plan = Plan.objects.get(items=finding.item_id)
    deadline = rules.deadline_on_confirmation(
        finding.deadline, timezone.localdate(at), plan.finding_deadline_workdays, holiday_overrides()
    )
    fields = ["confirmed_at", "confirmed_by"]
    if deadline != finding.deadline:
        finding.deadline = deadline
        fields.append("deadline")
    finding._history_user = user
    finding.save(update_fields=fields)
    followup.log(finding, FindingEventKind.CONFIRMED, user, on=timezone.localdate(at), deadline=finding.deadline)
    return True


@transaction.atomic
def record_measures(finding: Finding, measures: str, user=None) -> Finding:
    """The unit enters its rectification measures: the finding is in progress."""
    _require_state(finding, OPEN_FINDING_STATES, _("given measures"))
    if not measures.strip():
        raise ValidationError({"measures": ValidationError(_("Describe the rectification measures."), code="required")})
    finding.measures = measures
    if finding.state == FindingState.OPEN:
        finding.state = FindingState.IN_PROGRESS
    finding._history_user = user
    finding.save()
    followup.log(finding, FindingEventKind.MEASURES, user, measures)
    return finding


@transaction.atomic
def add_update(finding: Finding, text: str, user=None, *, on: dt.date | None = None) -> FindingUpdate:
    _require_state(finding, OPEN_FINDING_STATES, _("updated"))
    return FindingUpdate.objects.create(finding=finding, text=text, author=user, date=on or timezone.localdate())


@transaction.atomic
def request_closure(finding: Finding, user=None, *, on: dt.date | None = None) -> Finding:
    _require_state(finding, (FindingState.OPEN, FindingState.IN_PROGRESS), _("put up for close-out"))
    if not finding.measures.strip():
        raise ValidationError(
            {"measures": ValidationError(_("Enter the measures taken before asking for close-out."), code="measures_missing")}
        )
    finding.state = FindingState.CLOSURE_REQUESTED
    finding.closure_requested_on = on or timezone.localdate()
    finding._history_user = user
    finding.save()
    followup.log(finding, FindingEventKind.CLOSURE_REQUESTED, user, on=finding.closure_requested_on)
    return finding


@transaction.atomic
def close_out(finding: Finding, user, note: str, *, on: dt.date | None = None) -> Finding:
    """销号: only bureau staff, with a verification note; a closed finding stays closed."""
    _require_state(finding, OPEN_FINDING_STATES, _("closed out"))
    if not note.strip():
        raise ValidationError(
            {"verification_note": ValidationError(_("Record how the rectification was verified."), code="note_required")}
        )
    finding.state = FindingState.CLOSED
    finding.verification_note = note
    finding.verified_by = user
    finding.closed_on = on or timezone.localdate()
    followup.schedule_recheck(finding, finding.closed_on)  # 回头看, plan.recheck_days later
    finding._history_user = user
    finding.save()
    followup.log(finding, FindingEventKind.CLOSED, user, note, on=finding.closed_on)
    return finding


@transaction.atomic
def dismiss(finding: Finding, user, reason: str) -> Finding:
    _require_state(finding, OPEN_FINDING_STATES, _("dismissed"))
    if not reason.strip():
        raise ValidationError(
            {"dismissed_reason": ValidationError(_("Give the reason for dismissing the finding."), code="reason_required")}
        )
    finding.state = FindingState.DISMISSED
    finding.dismissed_reason = reason
    finding.closed_on = timezone.localdate()  # the day it left the register
    finding._history_user = user
    finding.save()
    followup.log(finding, FindingEventKind.DISMISSED, user, reason, on=finding.closed_on)
    return finding


def carry(old: list[Finding], copies: list[Finding], on: dt.date, *, reason: str, batch_size: int) -> list[Finding]:
    """The year roll-over (targets.rollover): each old finding leaves the register as carried on
    ``on`` and its copy opens on the item's next-year record; history rows with ``reason``."""
    for finding in old:
        finding.state, finding.closed_on = FindingState.CARRIED, on
    # Close the old ones first: the partial unique constraint allows one open finding per key.
    Finding.objects.bulk_update(old, ["state", "closed_on"], batch_size=batch_size)
    Finding.history.bulk_history_create(old, batch_size=batch_size, update=True, default_change_reason=reason)
    created = Finding.objects.bulk_create(copies, batch_size=batch_size)
    Finding.history.bulk_history_create(created, batch_size=batch_size, default_change_reason=reason)
    return created


@transaction.atomic
def request_extension(finding: Finding, new_deadline: dt.date, reason: str, user=None) -> ExtensionRequest:
    _require_state(finding, OPEN_FINDING_STATES, _("extended"))
    errors = {}
    if new_deadline <= finding.deadline:
        errors["requested_deadline"] = ValidationError(
            _("The new deadline must be later than the current one."), code="not_later"
        )
    if not reason.strip():
        errors["reason"] = ValidationError(_("Give the reason for the extension."), code="required")
    if errors:
        raise ValidationError(errors)
    return ExtensionRequest.objects.create(
        finding=finding, reason=reason, requested_deadline=new_deadline, previous_deadline=finding.deadline, requested_by=user
    )


@transaction.atomic
def decide_extension(request: ExtensionRequest, user, *, approve: bool) -> ExtensionRequest:
    """Bureau staff approve or reject; approval moves the deadline and keeps the original date."""
    if request.decision != ExtensionDecision.PENDING:
        raise ValidationError(_("This extension request has already been decided."), code="already_decided")
    request.decision = ExtensionDecision.APPROVED if approve else ExtensionDecision.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request._history_user = user
    request.save()
    if approve:
        finding = request.finding
        if finding.original_deadline is None:
            finding.original_deadline = finding.deadline
        finding.deadline = request.requested_deadline
        finding._history_user = user
        finding.save()
    return request
