"""The register's state changes by people: bureau staff and the units' logins.

- enter_by_hand(): a finding staff raise themselves (人工), confirmed at once; manual_initial() is
  what its form starts with.
- confirm(): 待确认 → confirmed; from then on it climbs the escalation ladder (targets.findings.upkeep).
- record_measures(), add_update(), request_closure(): the unit's rectification measures (open → in
  progress), progress notes, and its request for close-out.
- close_out() (销号, staff only, with a verification note; schedules the 回头看) and dismiss().
- request_extension() / decide_extension(): a later deadline asked for, approved or rejected by staff.
- carry(): the year roll-over (targets.rollover) closes the old findings and opens their copies.

Each checks its rule (targets.findings.guards), then writes the finding and one step of its
timeline (targets.findings.events). Assigned matters, replies, reopening and re-checks are the
loop's (targets.findings.followup).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ExtensionDecision, FindingEventKind, FindingState
from ..models import ExtensionRequest, Finding, FindingUpdate, Plan
from ..permissions import is_bureau_staff
from . import rules
from .events import log
from .followup import schedule_recheck
from .guards import holiday_overrides, require_state


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
    log(finding, FindingEventKind.CONFIRMED, user, on=timezone.localdate(at), deadline=finding.deadline)
    return True


@transaction.atomic
def record_measures(finding: Finding, measures: str, user=None) -> Finding:
    """The unit enters its rectification measures: the finding is in progress."""
    require_state(finding, _("given measures"))
    if not measures.strip():
        raise ValidationError({"measures": ValidationError(_("Describe the rectification measures."), code="required")})
    finding.measures = measures
    if finding.state == FindingState.OPEN:
        finding.state = FindingState.IN_PROGRESS
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.MEASURES, user, measures)
    return finding


@transaction.atomic
def add_update(finding: Finding, text: str, user=None, *, on: dt.date | None = None) -> FindingUpdate:
    require_state(finding, _("updated"))
    return FindingUpdate.objects.create(finding=finding, text=text, author=user, date=on or timezone.localdate())


@transaction.atomic
def request_closure(finding: Finding, user=None, *, on: dt.date | None = None) -> Finding:
    require_state(finding, _("put up for close-out"), (FindingState.OPEN, FindingState.IN_PROGRESS))
    if not finding.measures.strip():
        raise ValidationError(
            {"measures": ValidationError(_("Enter the measures taken before asking for close-out."), code="measures_missing")}
        )
    finding.state = FindingState.CLOSURE_REQUESTED
    finding.closure_requested_on = on or timezone.localdate()
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.CLOSURE_REQUESTED, user, on=finding.closure_requested_on)
    return finding


@transaction.atomic
def close_out(finding: Finding, user, note: str, *, on: dt.date | None = None) -> Finding:
    """销号: only bureau staff, with a verification note; a closed finding stays closed."""
    require_state(finding, _("closed out"))
    if not note.strip():
        raise ValidationError(
            {"verification_note": ValidationError(_("Record how the rectification was verified."), code="note_required")}
        )
    finding.state = FindingState.CLOSED
    finding.verification_note = note
    finding.verified_by = user
    finding.closed_on = on or timezone.localdate()
    schedule_recheck(finding, finding.closed_on)  # 回头看, plan.recheck_days later
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.CLOSED, user, note, on=finding.closed_on)
    return finding


@transaction.atomic
def dismiss(finding: Finding, user, reason: str) -> Finding:
    require_state(finding, _("dismissed"))
    if not reason.strip():
        raise ValidationError(
            {"dismissed_reason": ValidationError(_("Give the reason for dismissing the finding."), code="reason_required")}
        )
    finding.state = FindingState.DISMISSED
    finding.dismissed_reason = reason
    finding.closed_on = timezone.localdate()  # the day it left the register
    finding._history_user = user
    finding.save()
    log(finding, FindingEventKind.DISMISSED, user, reason, on=finding.closed_on)
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
    require_state(finding, _("extended"))
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
