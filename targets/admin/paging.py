"""Admin change lists that stay fast on a large register: an estimated count above a threshold, and deep pages.

Django's change list counts the whole filtered list exactly (COUNT(*)) and reads a page with
OFFSET over the full annotated query, so page 500 of a 100,000-project list computes every row's
status and latest-report subqueries for the 49,900 rows it skips. LargeTablePaginator:

- counts exactly up to DUBAN_ADMIN_EXACT_COUNT (a capped count reads at most that many rows); above
  it, it takes PostgreSQL's planner estimate for the filtered query (EXPLAIN, no rows read) and says
  so: `estimated` is true and the change list shows the count as approximate;
- reads a deep page (past DEEP_OFFSET rows) in two steps: the primary keys of the page, ordered
  and offset with only the columns the ordering needs, then the page's rows with their
  annotations, for those keys only. The first pages are one query, as Django reads them.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import cached_property


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows the queryset returns (None on other databases)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


DEEP_OFFSET = 1000  # rows skipped before a page is read by its keys first


class LargeTablePaginator(Paginator):
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        limit = settings.DUBAN_ADMIN_EXACT_COUNT
        capped = queryset.order_by().values("pk")[: limit + 1].count()
        if capped <= limit:
            return capped
        estimate = planner_estimate(queryset)
        if estimate is None:
            return queryset.count()
        self.estimated = True
        return max(estimate, capped)

    def page(self, number) -> Page:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not queryset.ordered:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if bottom < DEEP_OFFSET:
            return self._get_page(queryset[bottom:top], number, self)
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        # The same ordering on the page's keys only: the annotations are computed for these rows.
        return self._get_page(queryset.filter(pk__in=keys), number, self)

    def validate_number(self, number):
        # An estimated count may be short of the real one: never refuse a page because of it.
        if not self.estimated:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return 1
        return max(number, 1)


# --- Filters and the date hierarchy without scanning the table -------------------------------------


class RelatedOnlyExistsFilter(admin.RelatedOnlyFieldListFilter):
    """RelatedOnlyFieldListFilter offering the related rows that have a row in the list, asked with
    EXISTS per related row (a few departments or people, each probed by index) instead of Django's
    `pk IN (SELECT DISTINCT … FROM the whole list)`, which reads every row of a large table."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        # The admin's own queryset (a unit's user sees its rows only), its annotations not selected.
        used = model_admin.get_queryset(request).filter(**{self.field_path: OuterRef("pk")}).order_by().values("pk")
        related = field.related_model._default_manager.filter(Exists(used))
        return [(obj.pk, str(obj)) for obj in related.order_by(*ordering)]


def distinct_desc(queryset, field: str, limit: int) -> list:
    """The newest `limit` distinct values of an indexed field, one index probe each (a loose index
    scan) instead of DISTINCT over every row."""
    values, rows = [], queryset.order_by()
    for _ in range(limit):
        below = rows.filter(**{f"{field}__lt": values[-1]}) if values else rows.exclude(**{f"{field}__isnull": True})
        value = below.order_by(f"-{field}").values_list(field, flat=True).first()
        if value is None:
            break
        values.append(value)
    return values


class ProbedDatesQuerySet(QuerySet):
    """A change list's queryset whose dates() — what the date hierarchy lists — probes each candidate
    year, month or day by index (first and last date, then EXISTS per period: at most 31 probes)
    instead of DISTINCT DATE_TRUNC over every row."""

    def dates(self, field_name, kind, order="ASC"):
        rows = self.order_by()
        first = rows.exclude(**{f"{field_name}__isnull": True}).order_by(field_name).values_list(field_name, flat=True).first()
        last = (
            rows.exclude(**{f"{field_name}__isnull": True}).order_by(f"-{field_name}").values_list(field_name, flat=True).first()
        )
        if first is None or last is None:
            return []
        candidates: list[tuple[dt.date, dt.date]] = []
        if kind == "year":
            candidates = [(dt.date(year, 1, 1), dt.date(year, 12, 31)) for year in range(first.year, last.year + 1)]
        elif kind == "month":
            month = dt.date(first.year, first.month, 1)
            while month <= last:
                following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
                candidates.append((month, following - dt.timedelta(days=1)))
                month = following
        else:
            day = first
            while day <= last:
                candidates.append((day, day))
                day += dt.timedelta(days=1)
        if len(candidates) > 40:  # a very long range: list the periods without asking about each
            found = [start for start, _end in candidates]
        else:
            found = [start for start, end in candidates if rows.filter(**{f"{field_name}__range": (start, end)}).exists()]
        return found if order == "ASC" else list(reversed(found))


class ProbedDatesChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if self.date_hierarchy:
            queryset.__class__ = type("ProbedDates" + type(queryset).__name__, (ProbedDatesQuerySet, type(queryset)), {})
        return queryset
