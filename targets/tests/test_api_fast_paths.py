"""The API's fast paths answer exactly as the slow ones did: tokens, statuses, rows, order, transactions."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from targets.api import views
from targets.api.serializers import TargetSerializer
from targets.api.snapshots import attach_status
from targets.models import ApiToken, StatusSnapshot, SupervisionRun, Target
from targets.querysets import with_status
from targets.tests.factories import MilestoneFactory, PlanFactory, ProgressReportFactory, TargetFactory

MARCH, APRIL, MAY = dt.date(2023, 3, 31), dt.date(2023, 4, 30), dt.date(2023, 5, 31)
FIGURES = ["snapshot_status", "snapshot_date", "snapshot_expected", "snapshot_actual", "snapshot_ratio", "snapshot_forecast"]


def token_client(user) -> tuple[ApiToken, APIClient]:
    token, key = ApiToken.issue(user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return token, client


def token_updates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "targets_apitoken" in q["sql"]]


def run(plan, day: dt.date, *, finished: bool = True) -> None:
    SupervisionRun.objects.create(plan=plan, as_of=day, finished_at=timezone.now() if finished else None)


def snap(item, day: dt.date, status: str, expected: str | None = "10", actual: str | None = "5") -> None:
    StatusSnapshot.objects.create(
        item=item, date=day, status=status, value_status=status, milestone_status="grey", reporting_status="green",
        expected=None if expected is None else Decimal(expected), actual=None if actual is None else Decimal(actual),
        ratio=Decimal("0.50"), forecast=Decimal("12.34"),
    )  # fmt: skip


# --- Tokens --------------------------------------------------------------------------------------


def test_it_writes_last_used_at_at_most_once_a_minute(unit_user):
    token, client = token_client(unit_user)
    start = dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        with CaptureQueriesContext(connection) as first:
            assert client.get("/api/v1/plans/").status_code == 200
        assert len(token_updates(first)) == 1
        traveller.shift(dt.timedelta(seconds=59))
        with CaptureQueriesContext(connection) as second:
            assert client.get("/api/v1/plans/").status_code == 200
        assert token_updates(second) == []
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.shift(dt.timedelta(seconds=2))
        assert client.get("/api/v1/plans/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_it_refuses_a_revoked_token_on_the_very_next_request(client, staff_user, unit_user):
    token, api_client = token_client(unit_user)
    assert api_client.get("/api/v1/plans/").status_code == 200
    client.force_login(staff_user)
    client.post("/admin/targets/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert api_client.get("/api/v1/plans/").status_code == 401


def test_it_refuses_the_token_of_a_login_switched_off_since_its_last_request(unit_user):
    _token, client = token_client(unit_user)
    assert client.get("/api/v1/plans/").status_code == 200
    unit_user.is_active = False
    unit_user.save()
    assert client.get("/api/v1/plans/").status_code == 401


# --- Status figures read for the page (snapshots.attach_status) --------------------------------


@pytest.fixture
def two_plans(plan):
    """Goals of two plans with runs on different dates, a missed snapshot and an unfinished run."""
    other = PlanFactory(year=2024)
    judged = TargetFactory(plan=plan)  # judged at both runs
    missed = TargetFactory(plan=plan)  # added after the March run judged it: no April snapshot
    later = TargetFactory(plan=other)  # another plan, with a snapshot on the first plan's date too
    never = TargetFactory(plan=other)  # no snapshot at all
    run(plan, MARCH)
    run(plan, APRIL)
    run(plan, MAY, finished=False)
    run(other, dt.date(2024, 1, 31))
    snap(judged, MARCH, "green")
    snap(judged, APRIL, "red", expected=None)
    snap(judged, MAY, "blue")
    snap(missed, MARCH, "yellow", actual=None)
    snap(later, APRIL, "yellow")
    snap(later, dt.date(2024, 1, 31), "green", expected="20.5")
    return [judged, missed, later, never]


@pytest.mark.parametrize("as_of", [None, dt.date(2023, 3, 30), MARCH, dt.date(2023, 5, 15), dt.date(2024, 2, 1)])
def test_it_reads_the_same_figures_as_the_status_subqueries(two_plans, as_of):
    pks = [goal.pk for goal in two_plans]
    annotated = {row.pk: row for row in with_status(Target.objects.filter(pk__in=pks), as_of)}
    attached = attach_status(list(Target.objects.filter(pk__in=pks)), as_of)
    for row in attached:
        assert [getattr(row, name) for name in FIGURES] == [getattr(annotated[row.pk], name) for name in FIGURES]
    assert {row.snapshot_status for row in attached} != {"grey"} or as_of == dt.date(2023, 3, 30)


def test_it_answers_list_and_detail_from_the_same_snapshots(api, unit_user, two_plans):
    client = api(unit_user)
    listed = {row["id"]: row for row in client.get("/api/v1/targets/", {"as_of": "2023-05-15"}).json()["results"]}
    judged, missed, later, never = two_plans
    assert (listed[judged.pk]["status"], listed[judged.pk]["expected_value"]) == ("red", None)
    assert (listed[missed.pk]["status"], listed[missed.pk]["status_date"]) == ("grey", None)
    assert listed[later.pk]["status"] == listed[never.pk]["status"] == "grey"
    for goal in two_plans:
        assert client.get(f"/api/v1/targets/{goal.pk}/", {"as_of": "2023-05-15"}).json() == listed[goal.pk]


# --- Rows serialized off the instance: DRF's output, field for field ----------------------------


def drf_representation(serializer, instance) -> dict:
    return serializers.ModelSerializer.to_representation(serializer, instance)


def test_it_serializes_goals_as_drf_does(two_plans):
    two_plans[0].baseline_value = Decimal("3.5")
    two_plans[0].save()
    serializer = TargetSerializer()
    for row in with_status(Target.objects.all(), None):
        assert serializer.to_representation(row) == drf_representation(serializer, row)
    assert serializer.to_representation(row)["target_value"] == "100.000"  # three decimals (issue 10)


def test_it_shows_milestones_and_reports_with_their_item(api, unit_user, plan):
    goal = TargetFactory(plan=plan)
    milestone, report = MilestoneFactory(item=goal), ProgressReportFactory(item=goal)
    client = api(unit_user)
    for url in [f"/api/v1/milestones/{milestone.pk}/", f"/api/v1/progress-reports/{report.pk}/"]:
        response = client.get(url)
        assert (response.json()["target"], response.json()["project"]) == (goal.pk, None)
        assert response["ETag"].startswith('"')


# --- Order and transactions ------------------------------------------------------------------


def test_it_pages_through_equal_values_in_id_order(api, unit_user, plan):
    goals = [TargetFactory(plan=plan, period_end=dt.date(2023, 12, 31)) for _ in range(4)]
    client = api(unit_user)
    for ordering in ["period_end", "-period_end"]:
        seen = [
            client.get("/api/v1/targets/", {"ordering": ordering, "page_size": 1, "page": page}).json()["results"][0]["id"]
            for page in range(1, 5)
        ]
        assert seen == [goal.pk for goal in goals]
    # SQLite happens to return ties in insertion order; PostgreSQL need not: the id must be in the SQL.
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/targets/", {"ordering": "-period_end"})
    [page_sql] = [q["sql"] for q in ctx.captured_queries if "LIMIT" in q["sql"] and "targets_target" in q["sql"]]
    assert re.search(r'ORDER BY .*"period_end" DESC, "targets_target"\."trackeditem_ptr_id" ASC', page_sql)
    codes = [row["code"] for row in client.get("/api/v1/targets/", {"ordering": "-code"}).json()["results"]]
    assert codes == sorted(codes, reverse=True)


@pytest.mark.django_db(transaction=True)
def test_it_reads_outside_a_transaction_and_writes_in_one(unit_user, plan, departments, monkeypatch):
    seen = {}
    real_list, real_create = views.TargetViewSet.list, views.ProgressReportViewSet.perform_create

    def list_(self, request, *args, **kwargs):
        seen["read"] = transaction.get_connection().in_atomic_block
        return real_list(self, request, *args, **kwargs)

    def perform_create(self, serializer):
        seen["write"] = transaction.get_connection().in_atomic_block
        return real_create(self, serializer)

    monkeypatch.setattr(views.TargetViewSet, "list", list_)
    monkeypatch.setattr(views.ProgressReportViewSet, "perform_create", perform_create)
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"], period_end=dt.date(2023, 12, 31))
    _token, client = token_client(unit_user)
    assert client.get("/api/v1/targets/").status_code == 200
    with time_machine.travel(dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        response = client.post("/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-07-01", "value": "10"})
    assert response.status_code == 201, response.json()
    assert seen == {"read": False, "write": True}


def test_it_keeps_database_connections_between_requests():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
