"""The supervision run over the demo register (projects.demo): its cost does not grow with the items.

The engine's own tests (targets/tests/test_supervise.py) judge goals; this one needs the register's
generator for a thousand items with monthly plans, reports and milestones.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import demo
from targets.engine.supervision import supervise
from targets.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _late_in_2024(time_machine):
    # Reports and milestone dates of 2023 are all in the past.
    time_machine.move_to(dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), tick=False)


def count_queries(plan, as_of) -> tuple[int, int]:
    """(statements other than INSERT, all statements) of one run."""
    with CaptureQueriesContext(connection) as queries:
        supervise(plan, as_of)
    statements = [q["sql"] for q in queries.captured_queries]
    return sum(1 for sql in statements if not sql.lstrip().upper().startswith("INSERT")), len(statements)


def test_it_runs_in_a_number_of_queries_independent_of_the_items():
    small, large = PlanFactory(year=2023), PlanFactory(year=2022)
    demo.seed_register(small, projects=10, seed=1, through=D(2023, 6, 1), batch_size=500)
    demo.seed_register(large, projects=1000, seed=1, through=D(2022, 6, 1), batch_size=500)

    (small_reads, small_all), (large_reads, large_all) = (
        count_queries(small, D(2023, 7, 10)),
        count_queries(large, D(2022, 7, 10)),
    )
    assert small_reads == large_reads
    if connection.vendor == "postgresql":
        # Inserts go in batches of 2,000 rows; SQLite's variable limit makes its batches smaller.
        assert small_all == large_all
