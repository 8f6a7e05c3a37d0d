"""Issue an API token for a login and print it once (only its hash is stored)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from targets.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it; it cannot be shown again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true", help="The token may read but not write.")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until the token expires (default: never).")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *_args, username: str, read_only: bool, expires_days: int | None, name: str, **_options) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if expires_days is not None and expires_days <= 0:
            raise CommandError("--expires-days must be positive.")
        expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
        _token, key = ApiToken.issue(user, name=name, read_only=read_only, expires_at=expires_at)
        self.stdout.write(key)
