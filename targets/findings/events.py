"""A finding's timeline: log() appends one step (a FindingEvent: who did what, when); timeline()
reads every step back, oldest first, with the opening, the escalations, the progress notes and the
extensions.

Every state change of the service logs its step here (targets.evidence logs an attached file); the
admin's finding page shows timeline().
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import FindingEventKind
from ..models import Finding, FindingEvent


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
