"""Signed one-click unsubscribe: GET confirms, POST mutes; statutory kinds cannot be muted, only delegated."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.signing import Signer

from notifications.digests import send_digests
from notifications.models import DeliveryKind, Preference
from notifications.preferences import unsubscribe_token
from notifications.tests.scenario import MONDAY, build
from targets.models import Person

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/notifications/unsubscribe/{token}/"


def test_it_shows_a_confirm_form_on_get_and_changes_nothing(client):
    person = Person.objects.create(name="联系人", email="c@example.com")

    response = client.get(url(unsubscribe_token(person.pk, DeliveryKind.DIGEST_UNIT)))

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert not Preference.objects.exists()


def test_it_unsubscribes_on_a_one_click_post_without_login_or_csrf(client):
    from django.test import Client

    person = Person.objects.create(name="联系人", email="c@example.com")
    response = Client(enforce_csrf_checks=True).post(
        url(unsubscribe_token(person.pk, DeliveryKind.DIGEST_UNIT)), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert Preference.objects.get(person=person).digest_muted is True


@pytest.mark.parametrize("kind", [DeliveryKind.DIGEST_LEADER, DeliveryKind.ESCALATION])
def test_it_refuses_tokens_for_statutory_kinds(client, kind):
    person = Person.objects.create(name="领导", email="l@example.com")

    assert client.post(url(unsubscribe_token(person.pk, kind))).status_code == 404
    assert not Preference.objects.exists()


def test_it_refuses_a_forged_token(client):
    person = Person.objects.create(name="联系人", email="c@example.com")

    forged = Signer(salt="something else").sign(f"{person.pk}")
    assert client.post(url(forged)).status_code == 404


def test_a_muted_contact_gets_no_digest_but_the_leader_still_does(staff):
    _plan, leader, projects = build()
    Preference.objects.create(person=projects["P1"].contact, digest_muted=True)
    Preference.objects.create(person=leader, digest_muted=True)  # statutory: ignored

    summary = send_digests(MONDAY)

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["leader@example.com", "staff@example.com"]
    assert summary.muted == 1


def test_staff_can_delegate_a_leader_s_statutory_digest(staff):
    _plan, leader, _projects = build()
    deputy = Person.objects.create(name="秘书", email="deputy@example.com")
    Preference.objects.create(person=leader, delegate=deputy)

    send_digests(MONDAY)

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["deputy@example.com", "p1@example.com", "staff@example.com"]
    deputy_mail = next(m for m in mail.outbox if m.to == ["deputy@example.com"])
    assert "受 包干领导 委托转送" in deputy_mail.body
