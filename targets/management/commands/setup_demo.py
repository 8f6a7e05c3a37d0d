"""What `make run` does before it serves: migrate, load the 2023 plan where absent, create the demo logins.

    manage.py setup_demo [--port 8000]

Safe to repeat for real: plan rows already in the database are never changed (a goal edited in the
admin keeps its edit), and a demo login that exists is left alone (a changed password stays). With
--port it first checks that the port is free, so a busy port fails before anything else runs.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from targets.demo_logins import DEFAULT_PASSWORD, REFUSAL
from targets.fixture_loading import load_absent

PLAN_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan_2023.json"


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use: stop what runs there, or pick another port (make run PORT=8123)."
                ) from None
            raise CommandError(f"Cannot use port {port} on {host}: {exc.strerror}.") from None


class Command(BaseCommand):
    help = "Migrate, load plan_2023 where absent and create the demo logins once (what `make run` does)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="Fail first if this port on 127.0.0.1 is busy.")
        parser.add_argument("--host", default="127.0.0.1", help="Address the port is checked on (default 127.0.0.1).")

    def handle(self, *_args, port=None, host="127.0.0.1", verbosity=1, **_options):
        if port is not None:
            check_port_free(host, port)
        call_command("migrate", interactive=False, verbosity=min(verbosity, 1), stdout=self.stdout)

        result = load_absent(PLAN_FIXTURE)
        self.stdout.write(f"plan_2023: {result.line()}")

        if not settings.DEBUG:
            # The refusal is the point (no demo login may exist in production): say so, and go on.
            self.stderr.write(self.style.WARNING("Demo logins: none created. " + REFUSAL))
            return
        password = os.environ.get("DUBAN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        self.stdout.write("Demo logins:")
        call_command("create_demo_logins", password=password, stdout=self.stdout, stderr=self.stderr)
