"""The 督办 loop after a finding opens: assigned matters, replies and review, reopening, 回头看.

Beside targets.findings.actions (confirmation, measures, close-out requests, 销号, extensions):
every state change here checks its rule (targets.findings.guards), changes the finding and writes
one step of its timeline (targets.findings.events), so a finding's timeline says who did what and
when. Nothing here knows about the admin or the API.

- assign(): an assigned matter (交办事项) becomes a finding of the matter's source, confirmed at once
  (staff raised it), with the matter's lead and cooperating units and deadline.
- submit_reply() / review_reply(): a unit answers in writing; bureau staff accept or send it back
  with a comment (never the reply's own author, never a unit's login).
- return_closure(): a close-out request sent back to the unit with a comment.
- reopen(): staff reopen a closed finding with a reason; a relapse (found by a supervision run,
  targets.findings.upkeep, or by a re-check) reopens it with its level raised by one (reopen_closed).
  Counted in finding.reopen_count.
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

from ..choices import (
    FindingCause,
    FindingEventKind,
    FindingLevel,
    FindingState,
    MatterSource,
    RecheckResult,
    ReplyState,
    StatusChoice,
)
from ..engine import workdays
from ..models import AssignedMatter, Dispatch, Escalation, Finding, FindingReply
from ..models.loop import matter_errors  # AssignedMatter.clean's rule, also asked before assigning
from .events import log
from .guards import holiday_overrides, may_answer, require_staff, require_state, required


def _deadline_from(finding: Finding, on: dt.date) -> dt.date:
    return workdays.add_workdays(on, finding.item.plan.finding_deadline_workdays, holiday_overrides())


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
    require_staff(user)
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
    require_state(finding, _("answered"))
    if not may_answer(finding, user):
        raise PermissionDenied(_("Only the finding's own units or bureau staff may answer it."))
    required("text", text, _("Write the reply."))
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
    require_staff(user)
    if reply.submitted_by_id is not None and reply.submitted_by_id == user.pk:
        raise PermissionDenied(_("A reply cannot be reviewed by the person who wrote it."))
    if reply.state != ReplyState.PENDING:
        raise ValidationError(_("This reply has already been reviewed."), code="already_reviewed")
    if not accept:
        required("review_comment", comment, _("Say why the reply is sent back."))
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
    require_staff(user)
    if finding.state != FindingState.CLOSURE_REQUESTED:
        raise ValidationError(_("Only a finding whose close-out was requested can be sent back."), code="invalid_state")
    required("comment", comment, _("Say why the close-out request is sent back."))
    finding.state = FindingState.IN_PROGRESS
    finding.closure_requested_on = None
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.CLOSURE_RETURNED, user, comment.strip(), on=on)
    return finding


# --- reopening and re-checks ------------------------------------------------------------------------


def reopen_closed(finding: Finding, user, reason: str, on: dt.date, *, kind: str, raise_level: bool) -> Finding:
    """Open a closed-out finding again, logged as ``kind``: by staff (reopen), a re-check or a relapse
    the run found (targets.findings.upkeep), those two with the level raised by one."""
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
    require_staff(user)
    required("reason", reason, _("Give the reason for reopening the finding."))
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    return reopen_closed(
        finding, user, reason.strip(), on or timezone.localdate(), kind=FindingEventKind.REOPENED, raise_level=False
    )


def schedule_recheck(finding: Finding, closed_on: dt.date) -> None:
    """On 销号: the re-check (回头看) falls plan.recheck_days later; the caller saves the finding."""
    finding.recheck_due = closed_on + dt.timedelta(days=finding.item.plan.recheck_days)
    finding.recheck_result = ""
    finding.rechecked_on = None
    finding.recheck_note = ""


@transaction.atomic
def move_recheck(finding: Finding, user, new_date: dt.date | None) -> Finding:
    """Staff move a finding's re-check date (the plan's delay is only the default)."""
    require_staff(user)
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
    require_staff(user)
    required("recheck_note", note, _("Record what the re-check found."))
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
    return reopen_closed(finding, user, finding.recheck_note, day, kind=FindingEventKind.RECHECK_RELAPSED, raise_level=True)
