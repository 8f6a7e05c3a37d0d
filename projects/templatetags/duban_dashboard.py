"""Template filters of the dashboard page (projects.dashboard): colour badges, plain numbers, list items."""

from __future__ import annotations

from django import template

from targets import formatting
from targets.choices import FindingLevel
from targets.reasons import badge

register = template.Library()


@register.filter
def light(status) -> str:
    """{{ status|light }} → the coloured badge of targets.reasons (a dash when not evaluated)."""
    return badge(status)


@register.filter
def num(value, places: int = 1) -> str:
    """{{ value|num }} → "12,345.6" (万元 columns carry the unit in the header)."""
    return formatting.number(value, int(places))


@register.filter
def yi_num(value) -> str:
    """{{ value|yi_num }} → an amount stored in 万元 as a plain number of 亿元 ("1.23")."""
    return formatting.EMPTY if value is None else formatting.number(value / formatting.WAN_PER_YI, 2)


@register.filter
def finding_level(level) -> str:
    """{{ 3|finding_level }} → "Level 3: supervision order" (a dash for none)."""
    if not level:
        return formatting.EMPTY
    return str(FindingLevel(level).label)
