"""The reporting calendar of projects: which month ends a monthly plan and monthly reports use.

Fixed-asset investment statistics come out for January and February together (1—2月), so
January is never a reporting month on its own; the admin's monthly plan, the ledger import and
the progress import all follow this one rule.
"""

from __future__ import annotations

import datetime as dt


def is_reporting_month(month: int) -> bool:
    """Whether a month is reported on its own: every month but January (reported with February)."""
    return month != 1


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Month ends of a period, the rows of a monthly plan.

    The period's first month is left out when it is not a reporting month (January): the first
    point of the year is the end of February. A period of a single month keeps it.
    """
    dates = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        next_first = dt.date(year + month // 12, month % 12 + 1, 1)
        dates.append(next_first - dt.timedelta(days=1))
        year, month = next_first.year, next_first.month
    if not is_reporting_month(start.month) and len(dates) > 1:
        dates = dates[1:]
    return [d for d in dates if start <= d <= end] or [end]
