"""The real services CI provides. Locally these skip without them; with DUBAN_REQUIRE_SERVICES=1 they fail."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from targets.models import Department


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_round_trip(require_postgres):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"

    Department.objects.create(name="区重点建设项目促进中心", short_name="重点中心")
    assert Department.objects.get(short_name="重点中心").name == "区重点建设项目促进中心"
    assert Department.objects.filter(name__contains="建设项目").count() == 1


@pytest.mark.redis
def test_redis_round_trip(require_redis):
    key = f"duban:test:{uuid.uuid4().hex}"
    try:
        assert require_redis.set(key, "督办".encode(), ex=60)
        assert require_redis.get(key).decode() == "督办"
        assert 0 < require_redis.ttl(key) <= 60
    finally:
        require_redis.delete(key)
    assert require_redis.get(key) is None
