"""An SMTP outage and an interrupted run, against a real SMTP server on loopback (aiosmtpd).

- a refused connection trips the run's breaker: one attempt, the rest not attempted, no backoff;
  `send_digests` exits non-zero and staff see the failures on the admin home page;
- the daily retry sends the failed digests of this and last week once the server is back, and
  nothing when all are sent;
- a run killed mid-send leaves a claimed row: the next run reports it "in progress" (not "already
  sent") and the retry sends it once the lease has passed, with the Message-ID of its ledger key.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications.delivery import Outgoing, claim, ledger_row, message_id
from notifications.digests import retry_digests, send_digests, weeks_to_retry
from notifications.models import Delivery, DeliveryKind, DeliveryStatus
from notifications.tests.scenario import MONDAY, build
from notifications.tests.test_digest_smtp import smtp_settings
from targets.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.smtp]

TUESDAY = MONDAY + dt.timedelta(days=1)
NEXT_TUESDAY = MONDAY + dt.timedelta(days=8)


@pytest.fixture
def slow_backoff(settings):
    # Were anything backed off per recipient, the run would sleep minutes (it must not).
    settings.DUBAN_NOTIFY_ATTEMPTS = 3
    settings.DUBAN_NOTIFY_BACKOFF_MS = 120_000
    return settings


def test_a_refused_connection_trips_the_breaker_instead_of_backing_off(staff, smtp_server, slow_backoff):
    build()
    smtp_server.stop()
    with smtp_settings(smtp_server.port):
        summary = send_digests(MONDAY)

    assert summary.failed == 3
    assert summary.breaker.open
    assert not summary.ok
    assert "mail server unreachable" in summary.line()
    rows = list(
        Delivery.objects.exclude(status=DeliveryStatus.UNDELIVERABLE)
        .order_by("id")
        .values_list("status", "attempts", "last_error")
    )
    assert [status for status, _a, _e in rows] == [DeliveryStatus.FAILED] * 3
    assert [attempts for _s, attempts, _e in rows] == [1, 0, 0]  # the first tried once, the rest never
    assert all(error.startswith("not attempted: ") for _s, _a, error in rows[1:])


def test_the_command_exits_non_zero_and_staff_see_it_on_the_admin_home_page(staff, smtp_server, fast_retries, client):
    build()
    smtp_server.stop()
    with smtp_settings(smtp_server.port), pytest.raises(CommandError, match="failed 3"):
        call_command("send_digests", as_of=MONDAY)

    client.force_login(staff)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "duban-failed-deliveries" in page
    assert "3" in page.split("duban-failed-deliveries", 1)[1][:200]
    assert "?status__exact=failed" in page


def test_the_daily_retry_sends_this_and_last_weeks_failures_until_all_are_sent(staff, smtp_server, fast_retries):
    build()
    smtp_server.stop()
    with smtp_settings(smtp_server.port):
        send_digests(MONDAY)
        assert retry_digests(TUESDAY)[0].failed == 3  # still down on Tuesday: tried again, still failed
    assert weeks_to_retry(NEXT_TUESDAY) == [MONDAY]  # a week later, last week's run is repeated as of its Monday

    smtp_server.start()
    with smtp_settings(smtp_server.port):
        (summary,) = retry_digests(NEXT_TUESDAY)
        assert (summary.week, summary.sent, summary.failed) == ("2023-W28", 3, 0)
        assert retry_digests(NEXT_TUESDAY) == []  # all sent: nothing left to retry
        call_command("send_digests", as_of=NEXT_TUESDAY, retry=True)  # exits 0
    assert len(smtp_server.messages) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT, DeliveryStatus.UNDELIVERABLE}


def test_an_interrupted_send_is_in_progress_then_retried_after_the_lease_with_a_stable_message_id(
    staff, smtp_server, fast_retries, settings, time_machine
):
    build()
    # A run killed while sending the leader's digest: the row is claimed, nothing was sent.
    key = leave_a_claim()
    with smtp_settings(smtp_server.port):
        summary = send_digests(MONDAY)

    assert (summary.sent, summary.in_progress, summary.skipped) == (2, 1, 0)
    assert "in progress 1" in summary.line()
    claimed = Delivery.objects.get(key=key)
    assert claimed.status == DeliveryStatus.PENDING

    # Within the lease the retry leaves it to its (presumed live) worker; after it, the retry sends it.
    with smtp_settings(smtp_server.port):
        assert retry_digests(MONDAY)[0].in_progress == 1
        time_machine.shift(dt.timedelta(seconds=settings.DUBAN_NOTIFY_LEASE + 1))
        assert retry_digests(MONDAY)[0].sent == 1

    claimed.refresh_from_db()
    assert claimed.status == DeliveryStatus.SENT
    ids = {}
    for _sender, rcpts, raw in smtp_server.messages:
        ids[rcpts[0]] = email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
    assert ids["leader@example.com"] == message_id(claimed.key)
    assert len(set(ids.values())) == 3  # one per ledger key
    assert message_id(claimed.key) == message_id(claimed.key)


def leave_a_claim() -> str:
    """What a worker killed between its claim and the SMTP answer leaves: a claimed, unsent row."""
    leader = Person.objects.get(email="leader@example.com")
    key = f"{DeliveryKind.DIGEST_LEADER}:{leader.pk}:2023-W28"
    row, _ = ledger_row(
        Outgoing(kind=DeliveryKind.DIGEST_LEADER, key=key, address=leader.email, recipient_id=leader.pk, period="2023-W28")
    )
    assert claim(row)
    return key
