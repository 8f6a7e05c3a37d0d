"""Exactly once under concurrency: two workers sending the same week at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from notifications.delivery import Outgoing, deliver
from notifications.digests import send_digests
from notifications.models import Delivery, DeliveryStatus
from notifications.tests.scenario import MONDAY, build
from notifications.tests.test_digest_smtp import smtp_settings

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


def run_in_threads(target, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_digest_once(require_postgres, staff, smtp_server, fast_retries):
    build()

    with smtp_settings(smtp_server.port):
        summaries = run_in_threads(lambda: send_digests(MONDAY), n=3)

    assert sum(s.sent for s in summaries) == 3
    rcpts = sorted(r for _s, rcpt, _raw in smtp_server.messages for r in rcpt)
    assert rcpts == ["leader@example.com", "p1@example.com", "staff@example.com"]
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


@pytest.mark.django_db(transaction=True)
def test_many_workers_racing_for_one_key_send_it_once(require_postgres, smtp_server, fast_retries):
    from django.core.mail import EmailMultiAlternatives

    def one():
        return deliver(
            Outgoing(
                kind="digest_staff",
                key="digest_staff:race:2023-W28",
                address="race@example.com",
                build=lambda: EmailMultiAlternatives("测试", "正文", to=["race@example.com"]),
            )
        )

    with smtp_settings(smtp_server.port):
        outcomes = run_in_threads(one, n=8)

    # The others saw it sent, or being sent (a live claim): never a second send.
    assert outcomes.count("sent") == 1
    assert set(outcomes) - {"sent"} <= {"skipped", "in_progress"}
    assert len(outcomes) == 8
    assert len(smtp_server.messages) == 1
