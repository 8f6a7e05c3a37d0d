"""Supervision rounds (督查轮次) and the notices sent after them (发送三清单).

    start_round(plan, date, title, kind, user) -> SupervisionRound
    dispatch(round, department, user, sent_at=None) -> Dispatch
    dispatch_count(plan) -> int

A round freezes the plan's open findings: one RoundFinding per finding, holding the finding's
three-list fields (问题清单, 责任清单, 整改清单) as JSON, so the lists exported for a round stay what
was sent even after the findings move on. Rounds are numbered 1, 2, 3 … per plan.

A dispatch records the notice (督办通知单) sent to one lead unit for one round: its number
("2023-R3-001", in the order the notices are sent), when it was sent and when the written reply is
due (plan.reply_workdays working days after the day it was sent). Sending again to the same unit for
the same round changes nothing, so counting dispatches gives the plan's "sent 21 times" figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import item_kinds
from ..engine import workdays
from ..models import Department, Dispatch, ExtensionRequest, Finding, HolidayOverride, Plan, RoundFinding, SupervisionRound
from ..three_lists_columns import frozen_columns


def finding_number(year: int, pk: int) -> str:
    """The register number of a finding (问题编号), e.g. "2023-0012"."""
    return f"{year}-{pk:04d}"


def round_label(round_: SupervisionRound, year: int | None = None) -> str:
    """ "2023-R3": the plan year and the round's number."""
    return f"{year or round_.plan.year}-R{round_.number}"


def dispatch_number(round_: SupervisionRound, sequence: int, year: int | None = None) -> str:
    return f"{round_label(round_, year)}-{sequence:03d}"


# --- The three lists of a finding, as plain data ---------------------------------------------------


def findings_for_lists(queryset=None):
    """Findings with everything the three lists show, in a fixed number of queries."""
    queryset = Finding.objects.all() if queryset is None else queryset
    related = ["item", "item__plan", "item__target", "milestone", "department", "responsible_leader", "contact", "verified_by"]
    related += item_kinds.owner_related("item__")
    return queryset.select_related(*related).prefetch_related(
        "cooperating_departments",
        "updates",
        Prefetch("extensions", queryset=ExtensionRequest.objects.order_by("requested_at", "pk")),
    )


def three_lists_row(finding: Finding) -> dict:
    """A finding's fields of the three lists, JSON-ready (what a RoundFinding keeps).

    The columns are declared in targets.three_lists_columns; the row adds what identifies and sorts
    it. Dates are ISO strings, amounts decimal strings; people and units are their names at the time.
    """
    item = finding.item
    department = finding.department
    return {
        "number": finding_number(item.plan.year, finding.pk),
        "finding_id": finding.pk,
        "item_id": item.pk,
        "item_kind": item.kind,
        **frozen_columns(finding),
        "department_id": finding.department_id,
        "department_short": str(department) if department else "",
        "evidence_file": finding.evidence_file.name if finding.evidence_file else "",
    }


def sort_key(row: dict) -> tuple:
    """Rows of a list: by lead unit (unassigned last), then register number."""
    return (row.get("department_id") is None, row.get("department") or "", row.get("number") or "")


def rows_of(findings: Iterable[Finding]) -> list[dict]:
    return sorted((three_lists_row(f) for f in findings), key=sort_key)


def open_findings(plan: Plan):
    return Finding.objects.filter(item__plan=plan).open()


# --- Rounds ---------------------------------------------------------------------------------------


def next_number(plan: Plan) -> int:
    return (SupervisionRound.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def start_round(
    plan: Plan, date: dt.date, title: str, kind: str, user=None, *, notes: str = "", issuing_office: str = ""
) -> SupervisionRound:
    """Open round N+1 of the plan and freeze its open findings into the round."""
    Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one numbering at a time (PostgreSQL)
    round_ = SupervisionRound(
        plan=plan, number=next_number(plan), date=date, title=title, kind=kind, notes=notes, created_by=user
    )
    if issuing_office:
        round_.issuing_office = issuing_office
    round_._history_user = user
    round_.save()
    snapshot(round_)
    return round_


def snapshot(round_: SupervisionRound) -> int:
    """Freeze the plan's open findings into the round (those already in it are kept as they were)."""
    findings = findings_for_lists(open_findings(round_.plan).order_by("pk"))
    rows = [RoundFinding(round=round_, finding_id=row["finding_id"], data=row) for row in (three_lists_row(f) for f in findings)]
    RoundFinding.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return round_.entries.count()


@transaction.atomic
def refresh(round_: SupervisionRound) -> int:
    """Take the round's snapshot again (e.g. after adding findings from the inspection itself).

    Only while nothing has been sent for the round: a sent notice must match the frozen lists.
    """
    if round_.dispatches.exists():
        raise ValidationError(_("Notices have been sent for this round; its lists can no longer change."), code="dispatched")
    round_.entries.all().delete()
    return snapshot(round_)


def entries(round_: SupervisionRound) -> list[dict]:
    """The frozen rows of a round, in list order."""
    return sorted(round_.entries.values_list("data", flat=True), key=sort_key)


def unit_entries(round_: SupervisionRound, department_id: int) -> list[dict]:
    """The frozen rows of one lead unit in a round (what its notice lists)."""
    return [row for row in entries(round_) if row.get("department_id") == department_id]


@dataclass
class UnitNotice:
    """One lead unit of a round: its frozen findings and the notice sent, if any."""

    department_id: int
    name: str
    items: int
    dispatch: Dispatch | None


def units(round_: SupervisionRound) -> list[UnitNotice]:
    """The lead units of a round's findings (those a notice can go to), by name."""
    counts: dict[int, int] = {}
    names: dict[int, str] = {}
    for data in round_.entries.values_list("data", flat=True):
        dept = data.get("department_id")
        if dept is None:
            continue
        counts[dept] = counts.get(dept, 0) + 1
        names.setdefault(dept, data.get("department") or "")
    sent = {d.department_id: d for d in round_.dispatches.all()}
    rows = [UnitNotice(dept, names[dept], n, sent.get(dept)) for dept, n in counts.items()]
    return sorted(rows, key=lambda u: (u.name, u.department_id))


# --- Dispatches -----------------------------------------------------------------------------------


def reply_due(plan: Plan, sent_on: dt.date) -> dt.date:
    overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
    return workdays.add_workdays(sent_on, plan.reply_workdays, overrides)


def _aware(sent_at: dt.datetime | dt.date | None) -> dt.datetime:
    if sent_at is None:
        return timezone.now()
    if not isinstance(sent_at, dt.datetime):
        sent_at = dt.datetime.combine(sent_at, dt.time())
    if timezone.is_naive(sent_at):
        sent_at = timezone.make_aware(sent_at)
    return sent_at


@transaction.atomic
def dispatch(
    round_: SupervisionRound, department: Department, user=None, sent_at: dt.datetime | dt.date | None = None
) -> Dispatch:
    """Record the notice sent to a unit for the round; a second call returns the first record unchanged."""
    SupervisionRound.objects.select_for_update().filter(pk=round_.pk).first()  # numbering in order (PostgreSQL)
    existing = Dispatch.objects.filter(round=round_, department=department).first()
    if existing is not None:
        return existing
    items = len(unit_entries(round_, department.pk))
    if not items:
        raise ValidationError(
            _("%(unit)s has no findings in this round: there is nothing to send.") % {"unit": department}, code="no_items"
        )
    # Next in the round's order; a deleted (mistaken) record never makes a number come back.
    numbers = round_.dispatches.values_list("number", flat=True)
    sequence = max((int(n.rsplit("-", 1)[-1]) for n in numbers if n.rsplit("-", 1)[-1].isdigit()), default=0) + 1
    when = _aware(sent_at)
    record = Dispatch(
        round=round_,
        department=department,
        number=dispatch_number(round_, sequence),
        items=items,
        sent_at=when,
        reply_due=reply_due(round_.plan, timezone.localdate(when)),
    )
    record._history_user = user
    record.save()
    return record


def dispatch_count(plan: Plan) -> int:
    """Notices sent for the plan's rounds (the "发送三清单21份" figure)."""
    return Dispatch.objects.filter(round__plan=plan, sent_at__isnull=False).count()


# --- Downloads (admin and API) ----------------------------------------------------------------------


def round_xlsx(round_: SupervisionRound) -> tuple[bytes, str]:
    """The round's frozen three lists as .xlsx, with its file name."""
    from ..documents import three_lists

    label = round_label(round_)
    title = f"{label} {round_.title}（{round_.date.isoformat()}）"
    return three_lists.three_lists_xlsx(entries(round_), title), f"{label}-三清单.xlsx"


def unit_notice(round_: SupervisionRound, department: Department) -> tuple[bytes, str] | None:
    """The notice (.docx) to one lead unit of the round, with its file name; None if the unit has no rows."""
    from ..documents import three_lists

    rows = unit_entries(round_, department.pk)
    if not rows:
        return None
    sent = Dispatch.objects.filter(round=round_, department=department).first()
    content = three_lists.notice_docx(
        unit=department.name,
        rows=rows,
        number=sent.number if sent else None,
        reply_due=sent.reply_due if sent else None,
        reply_workdays=round_.plan.reply_workdays,
        issuing_office=round_.issuing_office,
        round_date=round_.date,
        round_kind=round_.kind,
        round_title=round_.title,
        issued_on=timezone.localdate(sent.sent_at) if sent and sent.sent_at else None,
    )
    name = sent.number if sent else f"{round_label(round_)}-{department.short_name or department.name}"
    return content, f"督办通知单-{name}.docx"
