"""Post the new register events to the outgoing-webhook subscribers, and retry the failed ones."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.outgoing import dispatch_webhooks


def aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class Command(BaseCommand):
    help = "Send outgoing webhooks not delivered yet (each event once per subscriber)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=aware, default=None, help="only events at or after this ISO date-time")

    def handle(self, *_args, since=None, **_options):
        self.stdout.write(dispatch_webhooks(since).line())
