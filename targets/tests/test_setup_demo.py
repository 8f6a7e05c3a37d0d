"""`make run` is safe to repeat: `setup_demo` (the steps it runs) never undoes a person's work."""

from __future__ import annotations

import socket
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from targets.models import Department, Milestone, Plan, Target

pytestmark = pytest.mark.django_db


def setup_demo(**options) -> str:
    out = StringIO()
    call_command("setup_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def debug_on(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)


def test_an_edited_goal_and_a_changed_password_survive_a_second_run():
    first = setup_demo()
    assert "loaded" in first
    goal = Target.objects.get(code="2023-G14")
    goal.title = "重大项目（已由督办人员改名）"
    goal.target_value = Decimal("250")
    goal._change_reason = "edited in the admin"
    goal.save()
    history_before = goal.history.count()
    staff = get_user_model().objects.get(username="staff")
    staff.set_password("my-own-password-2024")
    staff.save()

    second = setup_demo()

    goal.refresh_from_db()
    assert goal.title == "重大项目（已由督办人员改名）"
    assert goal.target_value == Decimal("250")
    assert goal.history.count() == history_before
    staff.refresh_from_db()
    assert staff.check_password("my-own-password-2024")
    assert "nothing to load" in second
    assert "exists, left as it is" in second


def test_a_missing_row_is_loaded_again_and_new_rows_get_fresh_ids():
    setup_demo()
    milestone = Milestone.objects.filter(item__plan__year=2023).order_by("pk").first()
    milestone_pk = milestone.pk
    milestone.delete()

    out = setup_demo()

    assert Milestone.objects.filter(pk=milestone_pk).exists()
    assert "loaded 1 missing rows (1 targets.milestone)" in out
    # The id sequences are past the fixture's explicit keys (PostgreSQL would collide otherwise).
    fresh = Department.objects.create(name="新设单位")
    assert fresh.pk > max(Department.objects.exclude(pk=fresh.pk).values_list("pk", flat=True))
    assert Plan.objects.filter(year=2023).count() == 1


def test_a_busy_port_fails_before_the_database_steps():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} .* already in use"):
            setup_demo(port=port)
    assert not Plan.objects.exists()


def test_with_debug_off_it_loads_the_plan_and_creates_no_demo_login(settings):
    settings.DEBUG = False
    err = StringIO()
    call_command("setup_demo", stdout=StringIO(), stderr=err)
    assert Plan.objects.filter(year=2023).exists()
    assert not get_user_model().objects.exists()
    assert "DEBUG is off" in err.getvalue()
