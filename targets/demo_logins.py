"""The three demo logins (admin, staff, unit): created once, for development and demo databases only.

A login that already exists is left exactly as it is (its password, flags and groups may have been
changed by a person); only `reset=True` (`create_demo_logins --force`) sets the password again.
Every password goes through Django's password validators. With DEBUG off no demo login may be
created at all: their names and the default password are published in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import transaction

from config.roles import ensure_roles

from .models import Department, Person

DEFAULT_PASSWORD = "duban-demo-2023"
DEMO_UNIT_NAME = "区重点建设项目促进中心"
DEMO_USERNAMES = ("admin", "staff", "unit")


class DemoLoginsRefused(Exception):
    """Demo logins may not be created here (DEBUG off)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    created: bool
    password_set: bool


REFUSAL = (
    "DEBUG is off, so this is treated as a production database: demo logins (admin, staff, unit, whose "
    "names and default password are public) may not exist there, and none were created. "
    "Create real accounts with `manage.py createsuperuser` and the admin instead."
)


def refuse_without_debug() -> None:
    if not settings.DEBUG:
        raise DemoLoginsRefused(REFUSAL)


def ensure_demo_logins(password: str, *, reset: bool = False) -> tuple[list[DemoLogin], Department | None]:
    """Create the demo logins that are missing; with `reset`, set every demo login's password again.

    Raises DemoLoginsRefused with DEBUG off, and django's ValidationError for a password the
    validators refuse (nothing is written then).
    """
    refuse_without_debug()
    with transaction.atomic():
        ensure_roles()  # the groups normally exist after migrate; make sure of it
        staff_group = Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP)
        unit_group = Group.objects.get(name=settings.DUBAN_UNIT_REPORTER_GROUP)
        unit = Department.objects.filter(name=DEMO_UNIT_NAME).first() or Department.objects.order_by("name").first()
        logins = [
            _login("admin", password, reset=reset, superuser=True, group=None, role="superuser"),
            _login("staff", password, reset=reset, superuser=False, group=staff_group, role=staff_group.name),
            _login("unit", password, reset=reset, superuser=False, group=unit_group, role=unit_group.name),
        ]
        reporter = get_user_model().objects.get(username="unit")
        # Link the unit login to a unit once (the plan may have been loaded after the logins were made).
        if unit is not None and not Person.objects.filter(user=reporter).exists():
            Person.objects.create(user=reporter, name="演示填报员", department=unit, is_demo=True)
    return logins, unit


def _login(username, password, *, reset, superuser, group, role) -> DemoLogin:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None and not reset:
        return DemoLogin(username, role, created=False, password_set=False)
    created = user is None
    if created:
        user = user_model(username=username, is_active=True, is_staff=True, is_superuser=superuser)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    if created and group is not None:
        user.groups.set([group])
    return DemoLogin(username, role, created=created, password_set=True)
