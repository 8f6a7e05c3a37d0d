"""Working days on the PRC calendar (法定节假日 and 调休 make-up working days).

The statutory calendar comes from the maintained ``chinese_calendar`` package (chinesecalendar on
PyPI, pinned in requirements.txt), which the State Council's yearly notice updates. ``overrides``
maps a date to True (a working day) or False (a day off) and wins over the package: the bureau may
declare a local day off, or keep working on a holiday.

Outside the package's years (it raises NotImplementedError, e.g. for a year whose notice has not been
published yet) a day is a working day when it is Monday to Friday: no holidays, no make-up days.
Upgrade the package each December when the next year's notice is out.

Counting conventions:
- add_workdays(day, n): the n-th working day after ``day`` (n > 0) or before it (n < 0); ``day``
  itself is not counted. n = 0 returns ``day`` when it is a working day, else the next working day.
- workdays_between(a, b): working days in (a, b], i.e. after a up to and including b; negative
  when b is before a. So workdays_between(a, add_workdays(a, n)) == n for n > 0.
- nth_workday_of_month(year, month, n): the n-th working day of the month (n = 1 the first);
  negative n counts from the end (n = -1 the last).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

import chinese_calendar

Overrides = Mapping[dt.date, bool] | None
ONE_DAY = dt.timedelta(days=1)


def is_workday(day: dt.date, overrides: Overrides = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5  # a year the package does not know: Monday to Friday


def add_workdays(day: dt.date, n: int, overrides: Overrides = None) -> dt.date:
    if n == 0:
        while not is_workday(day, overrides):
            day += ONE_DAY
        return day
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(a: dt.date, b: dt.date, overrides: Overrides = None) -> int:
    if b < a:
        return -workdays_between(b, a, overrides)
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        count += is_workday(day, overrides)
    return count


def nth_workday_of_month(year: int, month: int, n: int, overrides: Overrides = None) -> dt.date:
    if n == 0:
        raise ValueError("n counts from 1 (the first working day) or from -1 (the last)")
    last = calendar.monthrange(year, month)[1]
    days = range(1, last + 1) if n > 0 else range(last, 0, -1)
    remaining = abs(n)
    for number in days:
        day = dt.date(year, month, number)
        if is_workday(day, overrides):
            remaining -= 1
            if remaining == 0:
                return day
    raise ValueError(f"{year}-{month:02d} has fewer than {abs(n)} working days")
