"""The delivery ledger and preferences in the admin: pages open, failed rows filterable, ledger read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_it_lists_failed_deliveries_with_their_error(admin_client):
    Delivery.objects.create(
        kind="digest_staff",
        key="k1",
        address="a@example.com",
        status=DeliveryStatus.FAILED,
        last_error="SMTPServerDisconnected: boom",
    )
    Delivery.objects.create(kind="digest_staff", key="k2", address="b@example.com", status=DeliveryStatus.SENT)

    response = admin_client.get("/admin/notifications/delivery/", {"status__exact": "failed"})

    assert response.status_code == 200
    assert b"SMTPServerDisconnected: boom" in response.content
    assert b"b@example.com" not in response.content


def test_the_ledger_is_read_only(admin_client):
    row = Delivery.objects.create(kind="digest_staff", key="k1", address="a@example.com")

    assert admin_client.get("/admin/notifications/delivery/add/").status_code == 403
    assert admin_client.get(f"/admin/notifications/delivery/{row.pk}/change/").status_code == 200
    response = admin_client.post(f"/admin/notifications/delivery/{row.pk}/change/", {"status": "sent"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING


def test_the_preferences_pages_open(admin_client):
    assert admin_client.get("/admin/notifications/preference/").status_code == 200
    assert admin_client.get("/admin/notifications/preference/add/").status_code == 200


def test_the_webhook_pages_open(admin_client):
    assert admin_client.get("/admin/notifications/unitwebhook/").status_code == 200
    assert admin_client.get("/admin/notifications/unitwebhook/add/").status_code == 200
