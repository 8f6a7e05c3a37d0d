"""The bureau's fixed wording in its documents: Chinese in every interface language.

Choice labels read in Chinese (zh), the colour names of the lights, the dates and titles of the
ledgers (台账). Used by the .xlsx and .docx documents of targets and projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Choices
from django.utils import translation

LIGHT = {"green": "绿", "yellow": "黄", "red": "红", "blue": "蓝", "grey": "灰"}


def zh(choices: type[Choices], value) -> str:
    """A choice's label in Chinese whatever the interface language (the same words as the admin)."""
    if value in (None, ""):
        return ""
    try:
        label = choices(value).label
    except ValueError:
        return str(value)
    with translation.override("zh-hans"):
        return str(label)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ledger_title(name: str, years: Iterable[int], as_of: dt.date) -> str:
    """ "2023年重大项目台账（截至2023年7月31日）"; without a year when the rows span several plans."""
    years = sorted(set(years))
    prefix = f"{years[0]}年" if len(years) == 1 else ""
    return f"{prefix}{name}（截至{chinese_date(as_of)}）"


def light(status: str | None) -> str:
    return LIGHT.get(status, status) if status else ""
