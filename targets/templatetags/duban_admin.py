"""Template filters for Duban's admin pages: amounts in 万元 / 亿元, goal targets, percentages."""

from __future__ import annotations

from django import template

from targets import formatting

register = template.Library()


@register.filter
def goal_target(target) -> str:
    """{{ target|goal_target }} → "≥ 600 亿元"."""
    return formatting.goal_target(target)


@register.filter
def goal_amount(value, target) -> str:
    """{{ value|goal_amount:target }} → the value in the goal's unit (亿元 where show_in_yi)."""
    return formatting.goal_amount(target, value)


@register.filter
def wan(value) -> str:
    return formatting.wan(value)


@register.filter
def yi(value) -> str:
    return formatting.yi(value)


@register.filter
def percent(value) -> str:
    return formatting.percent(value)
