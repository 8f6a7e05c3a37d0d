"""Time the weekly digests: 2,000 recipients on the demo register, delivered to a local SMTP server.

Run by hand against a migrated database filled by seed_demo, e.g.:

    createdb -h 127.0.0.1 -U postgres duban_notify_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_notify_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --projects 10000 --seed 1
    .venv/bin/python benchmarks/digests.py --recipients 2000

It evaluates the plan on --as-of when no run exists, makes --recipients demo contacts (flagged
is_demo, no unit) and hands the plan's demo projects to them in turn, so each contact's digest
holds their own lagging projects; then it forgets that week's digests in the ledger, starts
aiosmtpd on a free loopback port and sends the week. It prints the seconds, the messages the
server received and the statements sent in total and per recipient; a second run of the same week
(every key already sent) shows the cost of the ledger alone. Goal: ≤ 60 s, constant per recipient.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_notify_bench"


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_contacts(plan, count: int) -> int:
    """count demo contacts without a unit, the plan's demo projects dealt out to them in turn."""
    from django.db import transaction

    from targets.models import Person, TrackedItem

    with transaction.atomic():
        have = list(Person.objects.filter(is_demo=True, email__endswith="@bench.invalid").order_by("pk"))
        new = [
            Person(name=f"基准联系人{i:04d}", email=f"bench{i:04d}@bench.invalid", is_demo=True) for i in range(len(have), count)
        ]
        Person.objects.bulk_create(new)
        people = list(Person.objects.filter(is_demo=True, email__endswith="@bench.invalid").order_by("pk")[:count])
        items = list(TrackedItem.objects.filter(plan=plan, project__is_demo=True).order_by("pk").values_list("pk", flat=True))
        by_person: dict[int, list[int]] = {}
        for n, pk in enumerate(items):
            by_person.setdefault(people[n % len(people)].pk, []).append(pk)
        for person_id, pks in by_person.items():
            TrackedItem.objects.filter(pk__in=pks).update(contact_id=person_id)
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=int, default=2023)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2023, 7, 10))
    parser.add_argument("--recipients", type=int, default=2000)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.test.utils import override_settings

    from notifications.digests import gather, iso_week, send_digests
    from notifications.models import Delivery
    from targets.engine.supervision import supervise
    from targets.models import Plan, SupervisionRun

    plan = Plan.objects.get(year=args.plan)
    items = ensure_contacts(plan, args.recipients)
    if not SupervisionRun.objects.filter(plan=plan, as_of=args.as_of).exists():
        supervise(plan, args.as_of)
    week = iso_week(args.as_of)
    forgotten, _ = Delivery.objects.filter(period=week, kind__startswith="digest").delete()

    received = []

    class Sink:
        async def handle_DATA(self, _server, _session, envelope):
            received.append(len(envelope.content))
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    smtp = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )
    try:
        with smtp:
            gather_counter = QueryCounter()
            with connection.execute_wrapper(gather_counter):
                started = time.perf_counter()
                snapshot = gather(args.as_of)
                gather_seconds = time.perf_counter() - started
            first, second = QueryCounter(), QueryCounter()
            with connection.execute_wrapper(first):
                started = time.perf_counter()
                summary = send_digests(args.as_of)
                seconds = time.perf_counter() - started
            with connection.execute_wrapper(second):
                started = time.perf_counter()
                rerun = send_digests(args.as_of)
                rerun_seconds = time.perf_counter() - started
    finally:
        controller.stop()

    recipients = summary.sent + summary.failed + summary.undeliverable
    print(f"register: plan {plan.year}, {items} demo projects dealt to {args.recipients} contacts; week {week}")
    print(f"ledger rows of the week forgotten before the run: {forgotten}")
    print(f"gather: {gather_seconds:.2f} s, {gather_counter.count} statements, {len(snapshot.items)} red/yellow items")
    print(f"send:   {seconds:.2f} s, {summary.line()}")
    print(f"        SMTP server received {len(received)} messages, {sum(received) / 1024 / 1024:.1f} MiB")
    if recipients:
        print(
            f"        {first.count} statements, {(first.count - gather_counter.count) / recipients:.2f} per recipient "
            f"beyond the gather; {seconds / recipients * 1000:.1f} ms per recipient"
        )
    print(f"re-run: {rerun_seconds:.2f} s, {rerun.line()}, {second.count} statements")


if __name__ == "__main__":
    main()
