"""Bounded lists on the dashboard: one page of a section's rows, and the querystring parameter that turns it.

A section never puts more than its page size of rows on the page, whatever the register's size;
counts and totals above each list are over everything selected, and the workbook holds every row.
"""

from __future__ import annotations

from collections.abc import Sequence

# The querystring parameter of each paginated section (?map=2 …).
PARAMS = {"map": "map", "units": "units", "groups": "groups", "ranking": "ranking"}


def page_number(params, key: str) -> int:
    """A section's page from the querystring: a positive integer, else 1 (the page clamps it)."""
    raw = (params.get(PARAMS[key]) or "").strip()
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


class Page:
    """Page `number` (clamped to the pages there are) of `count` rows, `per_page` at a time."""

    def __init__(self, count: int, number: int, per_page: int):
        self.count = count
        self.per_page = per_page
        self.number = min(max(1, number), self.pages)

    def slice(self, rows: Sequence) -> list:
        return list(rows[self.offset : self.offset + self.per_page])

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def first(self) -> int:
        return self.offset + 1 if self.count else 0

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.count)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def more(self) -> bool:
        return self.pages > 1

    def __eq__(self, other) -> bool:
        return isinstance(other, Page) and (self.count, self.number, self.per_page) == (other.count, other.number, other.per_page)

    def __repr__(self) -> str:
        return f"Page({self.count}, {self.number}, {self.per_page})"
