"""督查通报: the monthly circular leaders read, as a .docx in the bureau's style.

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
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from targets import periods
from targets.choices import FindingEventKind, FindingLevel, FindingState, MatterSource, RecheckResult, StatusChoice
from targets.models import AssignedMatter, Escalation, ExtensionRequest, Finding, FindingEvent, Plan
from targets.reasons import reason_text
from targets.schedule import month_end

from .dashboard.filters import Filters
from .dashboard.ranking import ranking
from .dashboard.status import run_date

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING = "黑体"
COLOURS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", "grey": "未评价"}
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


# --- the document -----------------------------------------------------------------------------------


def _run(paragraph, text: str, *, font: str = FONT_BODY, size: float = 16, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _para(document, text: str = "", *, font: str = FONT_BODY, size: float = 16, bold: bool = False, align=None, indent=True):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)
    if align is not None:
        paragraph.alignment = align
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _run(paragraph, text, font=font, size=size, bold=bold)
    return paragraph


def _table(document, headers: list[str], rows: list[list], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = Cm(width)
        cell.text = ""
        _run(cell.paragraphs[0], header, font=FONT_HEADING, size=10.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            cell.text = ""
            _run(cell.paragraphs[0], "" if value is None else str(value), size=10.5)


def _percent(value) -> str:
    return f"{value}%" if value is not None else "—"


def circular_docx(c: Circular, *, issuing_office: str = "区发展改革局督查室") -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = FONT_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)

    month = f"{c.start.year}年{c.start.month}月"
    _para(document, "督 查 通 报", font=FONT_TITLE, size=26, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, f"（{c.start.year}年第{c.start.month}期）", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, f"{issuing_office}　　　　　　　　{c.end:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月"), size=14,
          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    _para(document, f"{c.plan.year}年度目标和重大项目{month}督查情况", font=FONT_TITLE, size=20, align=WD_ALIGN_PARAGRAPH.CENTER)

    _para(document, "一、总体情况", font=FONT_HEADING)
    if c.run_date is None:
        _para(document, f"截至{month}底尚未开展督办评价。")
    else:
        counts = "、".join(f"{COLOURS[k]}{c.colours.get(k, 0)}项" for k in ("red", "yellow", "green", "blue", "grey"))
        _para(
            document,
            f"截至{c.end.month}月{c.end.day}日（评价日{c.run_date.month}月{c.run_date.day}日），纳入督办的目标和项目"
            f"共{sum(c.colours.values())}项，其中{counts}。本月新发现督办事项{c.opened}项，销号{c.closed}项，"
            f"月底在办{c.open_at_end}项，其中逾期{len(c.overdue)}项。",
        )

    _para(document, "二、各单位按期完成情况及排名", font=FONT_HEADING)
    _para(document, "按期率为已评价的目标和项目中亮绿灯、蓝灯的比例；排名依次比较按期率、按时报送率和在办督办事项数。")
    rows = [
        [u["rank"] or "—", u["unit"], u["items"], u["evaluated"], u["on_time"], _percent(u["rate"]), u["findings"], u["reopened"]]
        for u in c.units
    ]
    _table(
        document,
        ["排名", "责任单位", "目标项目数", "已评价", "按期", "按期率", "在办督办事项", "销号后反弹"],
        rows,
        [1.2, 4.4, 1.6, 1.4, 1.2, 1.6, 2.0, 1.8],
    )

    _para(document, f"三、红灯事项（{len(c.red_items)}项）", font=FONT_HEADING)
    if c.red_items:
        _table(
            document,
            ["编号", "名称", "主要原因", "责任单位", "包干领导"],
            [[r["code"], r["title"], r["causes"], r["unit"], r["leader"]] for r in c.red_items],
            [1.8, 4.0, 5.6, 2.6, 1.8],
        )
    else:
        _para(document, "本月无红灯事项。")

    _para(document, f"四、逾期未办结督办事项（{len(c.overdue)}项）", font=FONT_HEADING)
    if c.overdue:
        _table(
            document,
            ["编号", "督办对象", "牵头单位", "整改时限", "逾期天数", "督办等级"],
            [[o["number"], o["item"], o["unit"], o["deadline"].isoformat(), o["days"], o["level"]] for o in c.overdue],
            [2.0, 5.0, 3.0, 2.2, 1.6, 2.0],
        )
    else:
        _para(document, "本月无逾期未办结的督办事项。")

    _para(document, f"五、交办事项办理情况（{len(c.matters)}项）", font=FONT_HEADING)
    if c.matters:
        _table(
            document,
            ["事项", "来源", "牵头单位", "办理时限", "办理情况"],
            [[m["title"], m["source"], m["unit"], m["deadline"].isoformat(), m["status"]] for m in c.matters],
            [5.2, 1.8, 3.0, 2.2, 3.6],
        )
    else:
        _para(document, "本月无到期的交办事项。")

    _para(document, "六、回头看情况", font=FONT_HEADING)
    holds = sum(1 for r in c.rechecks if r["result"] == "未反弹")
    _para(
        document,
        f"本月开展回头看{len(c.rechecks)}项，其中未反弹{holds}项、反弹{len(c.rechecks) - holds}项；"
        f"到期尚未开展回头看{c.rechecks_pending}项。",
    )
    if c.rechecks:
        _table(
            document,
            ["督办对象", "牵头单位", "回头看日期", "结果", "情况"],
            [[r["item"], r["unit"], r["date"].isoformat(), r["result"], r["note"]] for r in c.rechecks],
            [4.6, 3.0, 2.2, 2.6, 3.4],
        )

    _para(document)
    _para(document, issuing_office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.core_properties.title = f"督查通报（{c.start:%Y-%m}）"
    document.core_properties.author = issuing_office
    # A fixed timestamp: the same month gives the same document.
    document.core_properties.created = document.core_properties.modified = dt.datetime.combine(c.end, dt.time(18))
    document.save(buffer)
    return buffer.getvalue()


def file_name(c: Circular) -> str:
    return f"督查通报-{c.start:%Y-%m}.docx"
