from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from targets.models import Department, Person
from targets.permissions import is_bureau_staff, user_department_id

pytestmark = pytest.mark.django_db


def run(**kwargs):
    out, err = StringIO(), StringIO()
    call_command("create_demo_logins", stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def no_password_in_env(monkeypatch):
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_creates_three_logins_linked_to_the_centre(debug_on):
    Department.objects.create(name="区发展改革局")
    centre = Department.objects.create(name="区重点建设项目促进中心")

    out, err = run()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"admin", "staff", "unit"}
    assert users["admin"].is_superuser
    assert users["admin"].check_password("duban-demo-2023")
    assert not users["staff"].is_superuser
    assert users["staff"].is_staff
    assert list(users["staff"].groups.values_list("name", flat=True)) == [settings.DUBAN_BUREAU_STAFF_GROUP]
    assert list(users["unit"].groups.values_list("name", flat=True)) == [settings.DUBAN_UNIT_REPORTER_GROUP]
    assert is_bureau_staff(users["staff"])
    assert not is_bureau_staff(users["unit"])
    assert user_department_id(users["unit"]) == centre.pk
    assert "区重点建设项目促进中心" in out
    assert "duban-demo-2023" in out
    assert err == ""


def test_creates_once_and_never_resets_a_changed_password(debug_on, monkeypatch):
    Department.objects.create(name="区教育局")
    run()
    unit = get_user_model().objects.get(username="unit")
    unit.set_password("changed-by-its-owner-7")
    unit.save()
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "from-the-env-1")
    out, _err = run()

    assert get_user_model().objects.count() == 3
    assert Person.objects.filter(user__username="unit").count() == 1
    unit.refresh_from_db()
    assert unit.check_password("changed-by-its-owner-7")
    assert "exists, left as it is" in out
    assert unit.groups.count() == 1
    # Falls back to the first unit by name when the centre is absent.
    assert unit.person.department.name == "区教育局"


def test_force_resets_the_password_of_existing_logins(debug_on):
    run()
    run(force=True, password="from-the-option-2")
    assert get_user_model().objects.get(username="unit").check_password("from-the-option-2")
    assert get_user_model().objects.get(username="admin").check_password("from-the-option-2")


def test_force_runs_the_password_validators(debug_on):
    run()
    with pytest.raises(CommandError, match="Password refused"):
        run(force=True, password="123")
    with pytest.raises(CommandError, match="Password refused"):
        run(force=True, password="password123")
    assert get_user_model().objects.get(username="admin").check_password("duban-demo-2023")


def test_links_the_unit_login_once_the_plan_is_loaded(debug_on):
    run()
    assert not Person.objects.exists()
    centre = Department.objects.create(name="区重点建设项目促进中心")
    run()
    assert user_department_id(get_user_model().objects.get(username="unit")) == centre.pk


def test_env_password_is_used(debug_on, monkeypatch):
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "from-the-env-1")
    run()
    assert get_user_model().objects.get(username="staff").check_password("from-the-env-1")


def test_without_units_creates_the_logins_and_warns(debug_on):
    _out, err = run()
    assert get_user_model().objects.filter(username="unit").exists()
    assert not Person.objects.exists()
    assert "No responsible unit" in err


def test_refuses_with_debug_off_even_with_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run()
    with pytest.raises(CommandError, match="DEBUG is off"):
        run(force=True, password="a-long-chosen-password-9")
    assert not get_user_model().objects.exists()
