"""Create the three demo logins once: a superuser, a bureau staff member and a unit reporter.

Safe to repeat: a login that exists is never changed (a password changed since stays changed).
`--force` sets the password of all three again. Development and demo databases only: with DEBUG off
it refuses, `--force` or not. Passwords go through the password validators.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets.demo_logins import DEFAULT_PASSWORD, DemoLoginsRefused, ensure_demo_logins


class Command(BaseCommand):
    help = "Create the demo logins admin, staff and unit where missing (DEBUG on only); --force resets their password."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password for the logins created (default: $DUBAN_DEMO_PASSWORD, else {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument("--force", action="store_true", help="Also set this password on demo logins that already exist.")

    def handle(self, *_args, password=None, force=False, **_options):
        password = password or os.environ.get("DUBAN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            logins, unit = ensure_demo_logins(password, reset=force)
        except DemoLoginsRefused as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None

        for login in logins:
            if login.created:
                state = f"created, password {password!r}"
            elif login.password_set:
                state = f"password reset to {password!r}"
            else:
                state = "exists, left as it is"
            extra = f", unit: {unit.name}" if login.username == "unit" and unit is not None else ""
            self.stdout.write(f"  {login.username:<6} {login.role}{extra} ({state})")
        if unit is None:
            self.stderr.write(
                self.style.WARNING(
                    "No responsible unit exists yet, so 'unit' belongs to none and can change nothing. "
                    "Load the plan (manage.py setup_demo) and run this command again."
                )
            )
