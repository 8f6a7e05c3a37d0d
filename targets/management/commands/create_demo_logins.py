"""Create (or reset) the three demo logins: a superuser, a bureau staff member and a unit reporter.

Idempotent: running it again resets the passwords, flags and groups of the same three users.
It is meant for a development or demo database. With DEBUG off it refuses unless --force is given,
and even then it refuses the well-known default password.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.roles import ensure_roles
from targets.models import Department, Person

DEFAULT_PASSWORD = "duban-demo-2023"
DEMO_UNIT_NAME = "区重点建设项目促进中心"


class Command(BaseCommand):
    help = "Create or reset the demo logins admin, staff and unit (development and demo databases only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password for all three logins (default: $DUBAN_DEMO_PASSWORD, else {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The default password is still refused then.",
        )

    def handle(self, *_args, password=None, force=False, **_options):
        password = password or os.environ.get("DUBAN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not settings.DEBUG:
            if not force:
                raise CommandError(
                    "DEBUG is off, so this looks like a production database: refusing to create demo logins. "
                    "Use --force with --password (or DUBAN_DEMO_PASSWORD) if you really mean it."
                )
            if password == DEFAULT_PASSWORD:
                raise CommandError("Refusing the well-known default password with DEBUG off: pass --password.")

        with transaction.atomic():
            ensure_roles()  # the groups normally exist after migrate; make sure of it
            staff_group = Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP)
            unit_group = Group.objects.get(name=settings.DUBAN_UNIT_REPORTER_GROUP)
            unit = Department.objects.filter(name=DEMO_UNIT_NAME).first() or Department.objects.order_by("name").first()

            admin = self._user("admin", password, superuser=True, group=None)
            staff = self._user("staff", password, superuser=False, group=staff_group)
            reporter = self._user("unit", password, superuser=False, group=unit_group)
            if unit is not None:
                Person.objects.update_or_create(
                    user=reporter, defaults={"name": "演示填报员", "department": unit, "is_demo": True}
                )

        self.stdout.write(self.style.SUCCESS(f"Demo logins (password {password!r}):"))
        self.stdout.write(f"  {admin.username:<6} superuser")
        self.stdout.write(f"  {staff.username:<6} {settings.DUBAN_BUREAU_STAFF_GROUP}")
        if unit is None:
            self.stdout.write(f"  {reporter.username:<6} {settings.DUBAN_UNIT_REPORTER_GROUP}, not linked to any unit")
            self.stderr.write(
                self.style.WARNING(
                    "No responsible unit exists yet, so 'unit' belongs to none and can change nothing. "
                    "Load the plan (manage.py loaddata plan_2023) and run this command again."
                )
            )
        else:
            self.stdout.write(f"  {reporter.username:<6} {settings.DUBAN_UNIT_REPORTER_GROUP}, unit: {unit.name}")

    @staticmethod
    def _user(username, password, *, superuser, group):
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_active = True
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if group is not None:
            user.groups.set([group])
        return user
