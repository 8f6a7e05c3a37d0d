"""督查通报: the monthly circular leaders read; its figures (gather), written as a .docx by circular_docx.

For one month of a plan, read as of its last day so that a closed month always gives the same
document (every figure comes from rows dated on or before the month end):

一、总体情况   the colours at the plan's last supervision run on or before the month end, and the
              findings opened, closed out and overdue;
二、各单位排名 each lead unit's on-time rate and rank (the dashboard's 比学赶超 definitions,
              projects.dashboard.ranking), with its findings reopened after close-out so far;
三、红灯事项   the red items with their causes (the run's reasons), lead unit and responsible leader;
四、督办事项   the findings overdue at the month end;
五、交办事项   the assigned matters due in the month, or due earlier and still open at its end;
六、回头看     the re-checks recorded in the month, and those due but not yet done.

A finding's state at the month end is read from its timeline (targets.models.FindingEvent: 销号,
dismissal, reopening, each with its business date), so later reopenings do not rewrite the month.
The text is Chinese whatever the interface language (translation.override).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.utils import timezone, translation

from targets import periods
from targets.choices import FindingEventKind, FindingLevel, FindingState, MatterSource, RecheckResult, StatusChoice
from targets.engine.schedule import month_end
from targets.models import AssignedMatter, Escalation, ExtensionRequest, Finding, FindingEvent, Plan
from targets.reasons import reason_text

from ..dashboard.filters import Filters
from ..dashboard.ranking import ranking
from ..dashboard.status import run_date

LEVELS = {FindingLevel.REMINDER: "一级（提醒）", FindingLevel.WARNING: "二级（警示）", FindingLevel.SUPERVISION: "三级（督办）"}
SOURCES = {
    MatterSource.INSTRUCTION: "领导批示",
    MatterSource.MEETING: "会议议定",
    MatterSource.SITE_INSPECTION: "现场督查",
}
# Timeline steps that decide whether a finding is open at a date (the last one on or before it wins).
CLOSING = {FindingEventKind.CLOSED: "closed", FindingEventKind.DISMISSED: "dismissed"}
REOPENING = {FindingEventKind.REOPENED, FindingEventKind.RELAPSED, FindingEventKind.RECHECK_RELAPSED}


@dataclass
class Circular:
    plan: Plan
    start: dt.date
    end: dt.date
    run_date: dt.date | None = None
    colours: Counter = field(default_factory=Counter)
    units: list[dict] = field(default_factory=list)
    red_items: list[dict] = field(default_factory=list)
    opened: int = 0
    closed: int = 0
    open_at_end: int = 0
    overdue: list[dict] = field(default_factory=list)
    matters: list[dict] = field(default_factory=list)
    rechecks: list[dict] = field(default_factory=list)
    rechecks_pending: int = 0

    @property
    def evaluated(self) -> int:
        return sum(n for colour, n in self.colours.items() if colour != StatusChoice.GREY)


def month_of(text: str) -> dt.date:
    """The first day of a month written 2023-07 (ValueError otherwise)."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def states_at(findings: list[Finding], day: dt.date) -> dict[int, tuple[str, dt.date | None]]:
    """{finding id: ("open" | "closed" | "dismissed", the day it closed)} at the end of `day`."""
    last: dict[int, tuple[str, dt.date | None]] = {}
    steps = FindingEvent.objects.filter(
        finding__in=[f.pk for f in findings], date__lte=day, kind__in=[*CLOSING, *REOPENING]
    ).order_by("finding_id", "date", "at", "pk")
    for finding_id, kind, date in steps.values_list("finding_id", "kind", "date"):
        last[finding_id] = (CLOSING[kind], date) if kind in CLOSING else ("open", None)
    states = {}
    for f in findings:
        if f.pk in last:
            states[f.pk] = last[f.pk]
        elif f.state in (FindingState.CLOSED, FindingState.DISMISSED) and f.closed_on and f.closed_on <= day:
            states[f.pk] = (str(f.state), f.closed_on)  # closed before the timeline was kept
        else:
            states[f.pk] = ("open", None)
    return states


def deadlines_at(findings: list[Finding], day: dt.date) -> dict[int, dt.date]:
    """Each finding's deadline at the end of `day`: the first one, or the last set by then by an approved
    extension or a reopening (its timeline step keeps the deadline it set)."""
    until = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    ids = [f.pk for f in findings]
    changes: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for finding_id, decided_at, requested in ExtensionRequest.objects.filter(
        finding__in=ids, decision="approved", decided_at__lt=until
    ).values_list("finding_id", "decided_at", "requested_deadline"):
        changes[finding_id].append((timezone.localdate(decided_at), requested))
    for finding_id, date, deadline in FindingEvent.objects.filter(
        finding__in=ids, date__lte=day, deadline__isnull=False
    ).values_list("finding_id", "date", "deadline"):
        changes[finding_id].append((date, deadline))
    return {f.pk: max(changes[f.pk])[1] if changes.get(f.pk) else (f.original_deadline or f.deadline) for f in findings}


def gather(plan: Plan, month: dt.date) -> Circular:
    start = month.replace(day=1)
    end = month_end(start.year, start.month)
    c = Circular(plan=plan, start=start, end=end, run_date=run_date(plan, end))
    with translation.override("zh-hans"):
        _colours_and_red(c)
        _units(c)
        _findings(c)
        _matters(c)
        _rechecks(c)
    return c


def _colours_and_red(c: Circular) -> None:
    if c.run_date is None:
        return
    # A closed month's official snapshot when the date is its end (targets.periods), else the run's.
    snapshots = (
        periods.snapshots_on(c.plan, c.run_date)
        .filter(item__plan=c.plan)
        .select_related("item", "item__lead_department", "item__responsible_leader", "item__target")
    )
    for s in snapshots.order_by("item__code"):
        c.colours[s.status] += 1
        if s.status == StatusChoice.RED:
            item = s.item
            c.red_items.append(
                {
                    "code": item.code,
                    "title": item.title,
                    "unit": item.lead_department.name if item.lead_department else "—",
                    "leader": item.responsible_leader.name if item.responsible_leader else "—",
                    "causes": "；".join(str(reason_text(r, item)).rstrip("。.") for r in s.reasons) or "—",
                }
            )


def _units(c: Circular) -> None:
    reopened: Counter = Counter()
    for department_id in FindingEvent.objects.filter(
        finding__item__plan=c.plan, kind__in=list(REOPENING), date__lte=c.end
    ).values_list("finding__department_id", flat=True):
        reopened[department_id] += 1
    # Open findings per lead unit of the item, read from the timeline (the dashboard reads today's state,
    # which a later reopening would change); the ranking is re-sorted on them with the dashboard's order.
    findings = list(Finding.objects.filter(item__plan=c.plan, opened_on__lte=c.end).select_related("item"))
    states = states_at(findings, c.end)
    levels = levels_at(findings, c.end)
    open_per_unit: Counter = Counter()
    worst: dict[int, int] = {}
    for f in findings:
        if states[f.pk][0] == "open":
            unit_id = f.item.lead_department_id
            open_per_unit[unit_id] += 1
            worst[unit_id] = max(worst.get(unit_id, 0), levels[f.pk])
    units = [
        replace(u, findings=open_per_unit.get(u.unit_id, 0), worst_level=worst.get(u.unit_id))
        for u in ranking(c.plan, c.end, Filters(month=c.start))
    ]
    units.sort(key=lambda u: (*u.sort_key(), u.unit, u.unit_id))
    rank = 0
    for position, u in enumerate(units, start=1):
        if position == 1 or units[position - 2].sort_key() != u.sort_key():
            rank = position
        c.units.append(
            {
                "rank": rank if u.on_time_rate is not None else None,
                "unit": u.unit,
                "items": u.items,
                "evaluated": u.evaluated,
                "on_time": u.on_time,
                "rate": u.on_time_rate,
                "findings": u.findings,
                "reopened": reopened.get(u.unit_id, 0),
            }
        )


def levels_at(findings: list[Finding], day: dt.date) -> dict[int, int]:
    """Each finding's escalation level at the end of `day` (the highest reached by then)."""
    levels: dict[int, int] = defaultdict(lambda: FindingLevel.REMINDER)
    for finding_id, level in Escalation.objects.filter(finding__in=[f.pk for f in findings], date__lte=day).values_list(
        "finding_id", "level"
    ):
        levels[finding_id] = max(levels[finding_id], level)
    return levels


def _findings(c: Circular) -> None:
    findings = list(Finding.objects.filter(item__plan=c.plan, opened_on__lte=c.end).select_related("item", "department"))
    states = states_at(findings, c.end)
    deadlines = deadlines_at(findings, c.end)
    levels = levels_at(findings, c.end)
    for f in sorted(findings, key=lambda f: (deadlines[f.pk], f.pk)):
        state, closed_on = states[f.pk]
        c.opened += c.start <= f.opened_on <= c.end
        if state == "closed" and closed_on and c.start <= closed_on <= c.end:
            c.closed += 1
        if state != "open":
            continue
        c.open_at_end += 1
        if deadlines[f.pk] < c.end:
            c.overdue.append(
                {
                    "number": f"{c.plan.year}-{f.pk:04d}",
                    "item": f"{f.item.code} {f.item.title}",
                    "unit": f.department.name if f.department else "—",
                    "deadline": deadlines[f.pk],
                    "days": (c.end - deadlines[f.pk]).days,
                    "level": LEVELS.get(levels[f.pk], str(levels[f.pk])),
                }
            )


def _matters(c: Circular) -> None:
    matters = list(
        AssignedMatter.objects.filter(item__plan=c.plan, assigned_on__lte=c.end, deadline__lte=c.end)
        .select_related("department", "finding")
        .order_by("deadline", "pk")
    )
    findings = [m.finding for m in matters if m.finding_id]
    states = states_at(findings, c.end)
    for m in matters:
        state, closed_on = states.get(m.finding_id, ("open", None))
        if m.deadline < c.start and state != "open":
            continue  # due and settled before the month
        if state == "open":
            status = "逾期未办结" if m.deadline < c.end else "到期未办结"
        elif state == "closed":
            status = f"已办结（{closed_on:%m月%d日}销号）" if closed_on else "已办结"
        else:
            status = "已撤销"
        c.matters.append(
            {
                "title": m.title,
                "source": SOURCES.get(m.source, m.source),
                "unit": m.department.name,
                "deadline": m.deadline,
                "status": status,
            }
        )


def _rechecks(c: Circular) -> None:
    kinds = {FindingEventKind.RECHECK_HOLDS: RecheckResult.HOLDS, FindingEventKind.RECHECK_RELAPSED: RecheckResult.RELAPSED}
    for event in (
        FindingEvent.objects.filter(finding__item__plan=c.plan, kind__in=list(kinds), date__gte=c.start, date__lte=c.end)
        .select_related("finding__item", "finding__department")
        .order_by("date", "pk")
    ):
        f = event.finding
        c.rechecks.append(
            {
                "item": f"{f.item.code} {f.item.title}",
                "unit": f.department.name if f.department else "—",
                "date": event.date,
                "result": "未反弹" if kinds[event.kind] == RecheckResult.HOLDS else "反弹，已重新督办",
                "note": event.text,
            }
        )
    # Due by the month end and not recorded by then (closed at the end, no re-check step yet).
    due = list(Finding.objects.filter(item__plan=c.plan, recheck_due__lte=c.end).exclude(recheck_due__isnull=True))
    done = set(
        FindingEvent.objects.filter(finding__in=[f.pk for f in due], kind__in=list(kinds), date__lte=c.end).values_list(
            "finding_id", flat=True
        )
    )
    states = states_at(due, c.end)
    c.rechecks_pending = sum(1 for f in due if f.pk not in done and states[f.pk][0] == "closed")
