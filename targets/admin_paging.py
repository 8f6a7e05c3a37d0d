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

import json

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
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
