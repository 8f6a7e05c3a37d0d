"""The 督办 loop after a finding opens: assigned matters, replies and review, reopening, 回头看.

Beside targets.findings (the run's register and the unit's measures, close-out requests, 销号):
every state change here checks its rule, changes the finding and writes one FindingEvent, so a
finding's timeline says who did what and when. Nothing here knows about the admin or the API.

- assign(): an assigned matter (交办事项) becomes a finding of the matter's source, confirmed at once
  (staff raised it), with the matter's lead and cooperating units and deadline.
- submit_reply() / review_reply(): a unit answers in writing; bureau staff accept or send it back
  with a comment (never the reply's own author, never a unit's login).
- return_closure(): a close-out request sent back to the unit with a comment.
- reopen(): staff reopen a closed finding with a reason; a relapse (found by a supervision run, or
  by a re-check) reopens it with its level raised by one. Counted in finding.reopen_count.
- Re-checks (回头看): 销号 schedules one plan.recheck_days later (each finding may move it);
  record_recheck() stores "holds" or "relapsed" (which reopens).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import workdays
from .choices import (
    OPEN_FINDING_STATES,
    FindingCause,
    FindingEventKind,
    FindingLevel,
    FindingState,
    MatterSource,
    RecheckResult,
    ReplyState,
    StatusChoice,
)
from .models import (
    AssignedMatter,
    Dispatch,
    Escalation,
    Finding,
    FindingEvent,
    FindingReply,
    HolidayOverride,
)
from .models.loop import matter_errors  # AssignedMatter.clean's rule, also asked before assigning
from .permissions import is_bureau_staff, user_department_id


def log(
    finding: Finding, kind: str, user=None, text: str = "", *, on: dt.date | None = None, reply=None, deadline=None
) -> FindingEvent:
    """Append a step to the finding's timeline (with the deadline the step set, if it set one)."""
    return FindingEvent.objects.create(
        finding=finding,
        kind=kind,
        date=on or timezone.localdate(),
        actor=user if getattr(user, "pk", None) else None,
        text=text,
        reply=reply,
        deadline=deadline,
    )


def _required(field: str, text: str, message: str) -> None:
    if not (text or "").strip():
        raise ValidationError({field: ValidationError(message, code="required")})


def _require_open(finding: Finding, action: str) -> None:
    if finding.state not in OPEN_FINDING_STATES:
        raise ValidationError(
            _("A finding in state “%(state)s” cannot be %(action)s.") % {"state": finding.get_state_display(), "action": action},
            code="invalid_state",
        )


def _require_staff(user) -> None:
    if not is_bureau_staff(user):
        raise PermissionDenied(_("Only bureau staff may do this."))


def _deadline_from(finding: Finding, on: dt.date) -> dt.date:
    overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
    return workdays.add_workdays(on, finding.item.plan.finding_deadline_workdays, overrides)


# --- who may answer ------------------------------------------------------------------------------------


def unit_of(user) -> int | None:
    return user_department_id(user)


def is_finding_unit(user, finding: Finding) -> bool:
    """The lead unit's or a cooperating unit's login (联动协调: cooperating units see and answer too)."""
    department_id = unit_of(user)
    if department_id is None:
        return False
    if finding.department_id == department_id:
        return True
    return finding.cooperating_departments.filter(pk=department_id).exists()


def may_answer(user, finding: Finding) -> bool:
    return finding.is_open and (is_bureau_staff(user) or is_finding_unit(user, finding))


# --- assigned matters (交办事项) -------------------------------------------------------------------


def matter_description(matter: AssignedMatter) -> str:
    """The finding's "what is wrong" line, in the bureau's words for each source."""
    if matter.source == MatterSource.INSTRUCTION:
        head = _("Instruction of %(leader)s on %(date)s") % {"leader": matter.leader, "date": matter.instructed_on}
        if matter.document_number:
            head += f"（{matter.document_number}）"
        return f"{head}：{matter.title}\n{matter.original_text}\n{matter.requirement}".strip()
    if matter.source == MatterSource.MEETING:
        head = _("Decision of %(meeting)s on %(date)s") % {"meeting": matter.meeting, "date": matter.meeting_on}
        if matter.meeting_item:
            head += f"（{matter.meeting_item}）"
        return f"{head}：{matter.title}\n{matter.requirement}".strip()
    return f"{matter.title}\n{matter.requirement}".strip()


@transaction.atomic
def assign(matter: AssignedMatter, user, cooperating: Iterable | None = None) -> Finding:
    """Save a new matter and open its finding (source = the matter's source, confirmed, level 1)."""
    _require_staff(user)
    errors = matter_errors(matter)
    if errors:
        raise ValidationError(errors)
    if matter.finding_id:
        raise ValidationError(_("This matter has already been assigned."), code="already_assigned")
    item = matter.item
    matter.created_by = matter.created_by or user
    matter._history_user = user
    matter.save()
    if cooperating is not None:
        matter.cooperating_departments.set(cooperating)
    finding = Finding(
        item=item,
        cause=FindingCause.MANUAL,
        source=matter.source,
        round=matter.round,
        opened_on=matter.assigned_on,
        light_when_found=StatusChoice.YELLOW,
        description=matter_description(matter),
        department=matter.department,
        responsible_leader_id=item.responsible_leader_id,
        contact_id=item.contact_id if item.lead_department_id == matter.department_id else None,
        deadline=matter.deadline,
        confirmed_at=timezone.now(),
        confirmed_by=user,
    )
    finding._history_user = user
    finding.save()
    finding.cooperating_departments.set(matter.cooperating_departments.all())
    Escalation.objects.get_or_create(
        finding=finding, level=FindingLevel.REMINDER, defaults={"date": matter.assigned_on, "reason": _("Matter assigned")}
    )
    matter.finding = finding
    matter.save(update_fields=["finding"])
    log(finding, FindingEventKind.ASSIGNED, user, matter.title, on=matter.assigned_on)
    return finding


# --- replies and review ---------------------------------------------------------------------------


@transaction.atomic
def submit_reply(
    finding: Finding, text: str, user, *, dispatch: Dispatch | None = None, on: dt.date | None = None
) -> FindingReply:
    """A written reply of the finding's unit (or staff entering one received on paper)."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_open(finding, _("answered"))
    if not may_answer(user, finding):
        raise PermissionDenied(_("Only the finding's own units or bureau staff may answer it."))
    _required("text", text, _("Write the reply."))
    if dispatch is not None and dispatch.department_id != finding.department_id:
        raise ValidationError({"dispatch": ValidationError(_("That notice was sent to another unit."), code="other_unit")})
    reply = FindingReply.objects.create(finding=finding, dispatch=dispatch, text=text.strip(), submitted_by=user)
    day = on or timezone.localdate()
    if dispatch is not None and dispatch.replied_on is None:
        dispatch.replied_on = day
        dispatch.save(update_fields=["replied_on"])
    if finding.state == FindingState.OPEN:
        finding.state = FindingState.IN_PROGRESS
        finding._history_user = user
        finding.save(update_fields=["state"])
    log(finding, FindingEventKind.REPLY, user, reply.text, on=day, reply=reply)
    return reply


@transaction.atomic
def review_reply(reply: FindingReply, user, *, accept: bool, comment: str = "", on: dt.date | None = None) -> FindingReply:
    """Bureau staff accept a reply, or send it back with a comment; a unit never reviews."""
    reply = FindingReply.objects.select_for_update().select_related("finding").get(pk=reply.pk)
    _require_staff(user)
    if reply.submitted_by_id is not None and reply.submitted_by_id == user.pk:
        raise PermissionDenied(_("A reply cannot be reviewed by the person who wrote it."))
    if reply.state != ReplyState.PENDING:
        raise ValidationError(_("This reply has already been reviewed."), code="already_reviewed")
    if not accept:
        _required("review_comment", comment, _("Say why the reply is sent back."))
    reply.state = ReplyState.ACCEPTED if accept else ReplyState.RETURNED
    reply.reviewed_by, reply.reviewed_at, reply.review_comment = user, timezone.now(), comment.strip()
    reply._history_user = user
    reply.save()
    kind = FindingEventKind.REPLY_ACCEPTED if accept else FindingEventKind.REPLY_RETURNED
    log(reply.finding, kind, user, reply.review_comment, on=on, reply=reply)
    return reply


@transaction.atomic
def return_closure(finding: Finding, user, comment: str, *, on: dt.date | None = None) -> Finding:
    """Send a close-out request back to the unit: the finding is in progress again."""
    _require_staff(user)
    if finding.state != FindingState.CLOSURE_REQUESTED:
        raise ValidationError(_("Only a finding whose close-out was requested can be sent back."), code="invalid_state")
    _required("comment", comment, _("Say why the close-out request is sent back."))
    finding.state = FindingState.IN_PROGRESS
    finding.closure_requested_on = None
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.CLOSURE_RETURNED, user, comment.strip(), on=on)
    return finding


# --- reopening and re-checks ------------------------------------------------------------------------


def _reopen(finding: Finding, user, reason: str, on: dt.date, *, kind: str, raise_level: bool) -> Finding:
    if finding.state != FindingState.CLOSED:
        raise ValidationError(_("Only a closed-out finding can be reopened."), code="invalid_state")
    clash = Finding.objects.open().filter(dedupe_key=finding.dedupe_key).exclude(pk=finding.pk).first()
    if clash is not None:
        raise ValidationError(
            _("Finding #%(pk)s is already open for the same lag; follow it up there.") % {"pk": clash.pk}, code="already_open"
        )
    finding.state = FindingState.IN_PROGRESS if finding.measures.strip() else FindingState.OPEN
    finding.reopened_on = on
    finding.reopen_count += 1
    finding.ready_to_close = False
    finding.closure_requested_on = None
    finding.closed_on = None
    finding.recheck_due = None
    if finding.original_deadline is None:
        finding.original_deadline = finding.deadline
    finding.deadline = max(finding.deadline, _deadline_from(finding, on))
    if raise_level and finding.level < FindingLevel.SUPERVISION:
        finding.level += 1
    finding._history_user = user
    finding.save()
    if raise_level:
        Escalation.objects.get_or_create(
            finding=finding, level=finding.level, defaults={"date": on, "reason": _("Relapsed after close-out")[:200]}
        )
    log(finding, kind, user, reason, on=on, deadline=finding.deadline)
    return finding


@transaction.atomic
def reopen(finding: Finding, user, reason: str, *, on: dt.date | None = None) -> Finding:
    """Staff reopen a closed-out finding with a reason (the level stays)."""
    _require_staff(user)
    _required("reason", reason, _("Give the reason for reopening the finding."))
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    return _reopen(finding, user, reason.strip(), on or timezone.localdate(), kind=FindingEventKind.REOPENED, raise_level=False)


def schedule_recheck(finding: Finding, closed_on: dt.date) -> None:
    """On 销号: the re-check (回头看) falls plan.recheck_days later; the caller saves the finding."""
    finding.recheck_due = closed_on + dt.timedelta(days=finding.item.plan.recheck_days)
    finding.recheck_result = ""
    finding.rechecked_on = None
    finding.recheck_note = ""


@transaction.atomic
def move_recheck(finding: Finding, user, new_date: dt.date | None) -> Finding:
    """Staff move a finding's re-check date (the plan's delay is only the default)."""
    _require_staff(user)
    if finding.state != FindingState.CLOSED or finding.recheck_result:
        raise ValidationError(_("This finding has no re-check waiting."), code="no_recheck")
    if new_date is None or (finding.closed_on and new_date <= finding.closed_on):
        raise ValidationError(
            {"recheck_due": ValidationError(_("Choose a re-check date after the close-out."), code="invalid_date")}
        )
    finding.recheck_due = new_date
    finding._history_user = user
    finding.save(update_fields=["recheck_due"])
    return finding


def rechecks_due(as_of: dt.date, queryset=None):
    """The 回头看 list: closed findings whose re-check date has come and that have no result yet."""
    queryset = Finding.objects.all() if queryset is None else queryset
    return queryset.filter(state=FindingState.CLOSED, recheck_due__lte=as_of, recheck_result="")


@transaction.atomic
def record_recheck(finding: Finding, user, *, holds: bool, note: str, on: dt.date | None = None) -> Finding:
    """Staff record the re-check: it holds (done), or it relapsed (reopened, level raised by one)."""
    _require_staff(user)
    _required("recheck_note", note, _("Record what the re-check found."))
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.state != FindingState.CLOSED or finding.recheck_result:
        raise ValidationError(_("This finding has no re-check waiting."), code="no_recheck")
    day = on or timezone.localdate()
    finding.recheck_result = RecheckResult.HOLDS if holds else RecheckResult.RELAPSED
    finding.rechecked_on = day
    finding.recheck_note = note.strip()
    finding._history_user = user
    finding.save()
    if holds:
        log(finding, FindingEventKind.RECHECK_HOLDS, user, finding.recheck_note, on=day)
        return finding
    return _reopen(finding, user, finding.recheck_note, day, kind=FindingEventKind.RECHECK_RELAPSED, raise_level=True)


def reopen_relapses(as_of: dt.date, wants: list) -> list:
    """The run's part: a lag that comes back reopens its closed-out finding instead of opening a new one.

    `wants` are the lags the run is about to open (targets.finding_rules.Want, already filtered to those
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
        _reopen(finding, None, reason, as_of, kind=FindingEventKind.RELAPSED, raise_level=True)
    return left


# --- the timeline -------------------------------------------------------------------------------------


def timeline(finding: Finding) -> list[dict]:
    """Every step of a finding, oldest first: opening, escalations, notes, extensions and the logged steps."""
    opened_text = finding.description.splitlines()[0] if finding.description else ""
    rows = [
        {"date": finding.opened_on, "at": finding.created_at, "kind": _("Opened"), "actor": None, "text": opened_text},
    ]
    for e in finding.escalations.all():
        rows.append({"date": e.date, "at": e.created_at, "kind": e.get_level_display(), "actor": None, "text": e.reason})
    for u in finding.updates.select_related("author"):
        rows.append(
            {"date": u.date, "at": u.created_at, "kind": FindingEventKind.UPDATE.label, "actor": u.author, "text": u.text}
        )
    for x in finding.extensions.select_related("requested_by", "decided_by"):
        rows.append(
            {
                "date": timezone.localdate(x.requested_at),
                "at": x.requested_at,
                "kind": FindingEventKind.EXTENSION_REQUESTED.label,
                "actor": x.requested_by,
                "text": f"{x.requested_deadline}：{x.reason}",
            }
        )
        if x.decided_at:
            rows.append(
                {
                    "date": timezone.localdate(x.decided_at),
                    "at": x.decided_at,
                    "kind": FindingEventKind.EXTENSION_DECIDED.label,
                    "actor": x.decided_by,
                    "text": x.get_decision_display(),
                }
            )
    for ev in finding.events.select_related("actor"):
        rows.append({"date": ev.date, "at": ev.at, "kind": ev.get_kind_display(), "actor": ev.actor, "text": ev.text})
    rows.sort(key=lambda r: (r["date"], r["at"]))
    return rows
