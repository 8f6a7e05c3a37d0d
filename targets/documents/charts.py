"""A small inline SVG of an item's cumulative plan against its actual value, month by month.

Rendered on the server (no JavaScript, no CDN): the plan line comes from the item's checkpoints
(a project's monthly plan, a goal's explicit checkpoints), or, without checkpoints, from a straight
time-proportional line to the target value at the period end; the actual line from its progress
reports (the latest cumulative value reported by each month end, up to the latest report).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..choices import Comparator, ScheduleMode

WIDTH, HEIGHT = 480, 200
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 14, 40
PLAN_COLOUR = "#8a8f98"
ACTUAL_COLOUR = "#1f6fb2"


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        days.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def plan_series(
    months: list[dt.date],
    checkpoints: list[tuple[dt.date, Decimal]],
    target: Decimal | None,
    linear: bool,
) -> list[Decimal | None]:
    """Expected cumulative value at each month end."""
    if checkpoints:
        points = sorted(checkpoints)
        values: list[Decimal | None] = []
        for month in months:
            reached = [value for date, value in points if date <= month]
            values.append(reached[-1] if reached else None)
        return values
    if linear and target is not None and months:
        # Time progress (序时进度): elapsed months ÷ months of the period.
        total = len(months)
        return [target * Decimal(index + 1) / Decimal(total) for index in range(total)]
    return [None] * len(months)


def actual_series(months: list[dt.date], reports: list[tuple[dt.date, Decimal]]) -> list[Decimal | None]:
    """Latest reported cumulative value by each month end, up to the month of the latest report."""
    points = sorted((date, value) for date, value in reports if value is not None)
    if not points:
        return [None] * len(months)
    last = points[-1][0]
    values: list[Decimal | None] = []
    for month in months:
        if month.replace(day=1) > last:
            values.append(None)
            continue
        reached = [value for date, value in points if date <= month]
        values.append(reached[-1] if reached else None)
    return values


def _fmt(value: Decimal) -> str:
    value = Decimal(value)
    if abs(value) >= 10000:
        return f"{value / 10000:.1f}万".replace(".0万", "万")
    if value == value.to_integral():
        return f"{value:.0f}"
    return f"{value:.1f}"


def svg(
    labels: list[str],
    plan: list[Decimal | None],
    actual: list[Decimal | None],
    *,
    title: str = "",
    fmt: Callable[[Decimal], str] | None = None,
) -> SafeString:
    """The chart as an inline <svg> element (safe HTML); `fmt` writes the scale and point values (default _fmt)."""
    fmt = fmt or _fmt
    count = len(labels)
    known = [v for v in (*plan, *actual) if v is not None]
    top = max(known, default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    inner_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    inner_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(index: int) -> float:
        return MARGIN_LEFT + (inner_w * (index + 0.5) / count if count else 0)

    def y(value: Decimal) -> float:
        return MARGIN_TOP + inner_h * (1 - float(Decimal(value) / top))

    def polyline(values: list[Decimal | None]) -> str:
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)

    plan_label, actual_label = _("Plan (cumulative)"), _("Actual (cumulative)")
    parts = [
        f'<svg class="duban-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title or plan_label)}">',
        f"<title>{escape(title)}</title>" if title else "",
        # axes and the top gridline with the scale
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP + inner_h}" x2="{WIDTH - MARGIN_RIGHT}" y2="{MARGIN_TOP + inner_h}" stroke="#999" />',
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{MARGIN_TOP + inner_h}" stroke="#999" />',
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{WIDTH - MARGIN_RIGHT}" y2="{MARGIN_TOP}" stroke="#ddd" stroke-dasharray="2,3" />',
        f'<text x="{MARGIN_LEFT - 4}" y="{MARGIN_TOP + 4}" text-anchor="end" font-size="10" fill="currentColor">{escape(fmt(top))}</text>',
        f'<text x="{MARGIN_LEFT - 4}" y="{MARGIN_TOP + inner_h + 4}" text-anchor="end" font-size="10" fill="currentColor">0</text>',
    ]
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{x(index):.1f}" y="{MARGIN_TOP + inner_h + 14}" text-anchor="middle" font-size="10" '
            f'fill="currentColor">{escape(label)}</text>'
        )
    if any(v is not None for v in plan):
        parts.append(
            f'<polyline class="duban-chart-plan" fill="none" stroke="{PLAN_COLOUR}" stroke-width="2" '
            f'stroke-dasharray="5,3" points="{polyline(plan)}" />'
        )
    if any(v is not None for v in actual):
        parts.append(
            f'<polyline class="duban-chart-actual" fill="none" stroke="{ACTUAL_COLOUR}" stroke-width="2" points="{polyline(actual)}" />'
        )
        for index, value in enumerate(actual):
            if value is not None:
                parts.append(
                    f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" fill="{ACTUAL_COLOUR}">'
                    f"<title>{escape(labels[index])}: {escape(fmt(value))}</title></circle>"
                )
    legend_y = HEIGHT - 8
    parts += [
        f'<line x1="{MARGIN_LEFT}" y1="{legend_y - 4}" x2="{MARGIN_LEFT + 20}" y2="{legend_y - 4}" stroke="{PLAN_COLOUR}" '
        'stroke-width="2" stroke-dasharray="5,3" />',
        f'<text x="{MARGIN_LEFT + 24}" y="{legend_y}" font-size="10" fill="currentColor">{escape(plan_label)}</text>',
        f'<line x1="{MARGIN_LEFT + 150}" y1="{legend_y - 4}" x2="{MARGIN_LEFT + 170}" y2="{legend_y - 4}" stroke="{ACTUAL_COLOUR}" '
        'stroke-width="2" />',
        f'<text x="{MARGIN_LEFT + 174}" y="{legend_y}" font-size="10" fill="currentColor">{escape(actual_label)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))


def item_chart(item) -> SafeString | None:
    """The chart of a goal or project (two queries), or None when there is nothing to draw."""
    months = month_ends(item.period_start, item.period_end)
    if not months or len(months) > 36:
        return None
    checkpoints = list(item.checkpoints.values_list("date", "expected_value"))
    reports = list(item.reports.counted().values_list("as_of", "value"))
    linear = item.schedule_mode == ScheduleMode.LINEAR and item.comparator in {Comparator.GTE, Comparator.GT, Comparator.APPROX}
    plan = plan_series(months, checkpoints, item.target_value, linear)
    actual = actual_series(months, reports)
    if all(v is None for v in plan) and all(v is None for v in actual):
        return None
    labels = [str(m.month) if m.year == months[0].year else f"{m.year % 100}/{m.month}" for m in months]
    return svg(labels, plan, actual, title=_("Plan and actual by month"))
