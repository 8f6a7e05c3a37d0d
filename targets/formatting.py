"""How numbers read on screen: thousands separators, 万元 and 亿元, comparators and percentages.

Money is stored in 万元 everywhere; goals the plan states in 亿元 (Target.show_in_yi) are shown in
亿元 (1亿元 = 10,000万元). Pure functions over plain values, shared by the admin and its templates.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from .choices import MetricKind

WAN_PER_YI = Decimal(10000)
YUAN_PER_WAN = Decimal(10000)
EMPTY = "—"
# Units written straight after the number, without a space.
_TIGHT_UNITS = {"%", "‰"}


def number(value: Decimal | int | None, places: int = 3) -> str:
    """12345.6 → "12,345.6": thousands separators, at most `places` decimals (three: the plan's
    numbers exactly, 98.392 公里), no trailing zeros."""
    if value is None:
        return EMPTY
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def with_unit(text: str, unit: str) -> str:
    if not unit or text == EMPTY:
        return text
    return f"{text}{unit}" if unit in _TIGHT_UNITS else f"{text} {unit}"


def _reads_chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def wan(value: Decimal | int | None) -> str:
    """An amount in 万元, e.g. "12,345.6 万元"; in English the exact sum in yuan, "123,456,000 yuan"."""
    if value is None or _reads_chinese():
        return with_unit(number(value), _("10k yuan"))
    return f"{number(Decimal(value) * YUAN_PER_WAN, 0)} yuan"


def yi(value: Decimal | int | None) -> str:
    """An amount stored in 万元 shown in 亿元, e.g. 6,000,000 → "600 亿元"; in English "60 billion yuan"."""
    if value is None:
        return EMPTY
    if _reads_chinese():
        return with_unit(number(Decimal(value) / WAN_PER_YI, 2), _("100M yuan"))
    return english_yuan(Decimal(value) * YUAN_PER_WAN)


def english_yuan(yuan: Decimal) -> str:
    """A sum in yuan the way English writes large money: 60 billion yuan, 123.46 million yuan, 15,000 yuan."""
    for scale, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(yuan) >= scale:
            return f"{number(yuan / scale, 2)} {word} yuan"
    return f"{number(yuan, 0)} yuan"


def percent(value: Decimal | None) -> str:
    return EMPTY if value is None else f"{number(value, 1)}%"


def goal_amount(target, value: Decimal | int | None) -> str:
    """A goal's value in the unit the plan uses (亿元 when show_in_yi, else the goal's own unit)."""
    if value is None:
        return EMPTY
    if getattr(target, "show_in_yi", False):
        return yi(value)
    unit = getattr(target, "unit", "") or ""
    if not unit and getattr(target, "metric_kind", None) == MetricKind.AMOUNT:
        return wan(value)
    return with_unit(number(value), unit)


def goal_target(target) -> str:
    """The goal as the plan states it, e.g. "≥ 600 亿元", or its text for goals with no number."""
    if target.target_value is None:
        if not target.target_text and target.metric_kind == MetricKind.MILESTONE:
            return _("Yes/no")
        return target.target_text or EMPTY
    return f"{target.get_comparator_display()} {goal_amount(target, target.target_value)}"
