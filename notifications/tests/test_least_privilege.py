"""Units never see webhook secrets, robot URLs or the delivery ledgers; staff see URLs masked, secrets never."""

from __future__ import annotations

import pytest

from notifications.models import Delivery, UnitWebhook, WebhookSubscriber
from targets.models import Person

pytestmark = pytest.mark.django_db

ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-1234"
HOOK_URL = "https://hooks.example.com/duban?token=hook-token-5678"


@pytest.fixture
def rows(departments):
    hook = UnitWebhook.objects.create(department=departments["beta"], platform="dingtalk", url=ROBOT_URL, secret="SECdingtalk")
    sub = WebhookSubscriber.objects.create(name="OA", url=HOOK_URL, secret="hmac-secret-9999")
    delivery = Delivery.objects.create(kind="digest_unit", key="k1", address="someone@example.com")
    return hook, sub, delivery


@pytest.mark.parametrize(
    "path",
    [
        "/admin/notifications/unitwebhook/",
        "/admin/notifications/unitwebhook/{hook}/change/",
        "/admin/notifications/webhooksubscriber/",
        "/admin/notifications/webhooksubscriber/{sub}/change/",
        "/admin/notifications/delivery/",
        "/admin/notifications/delivery/{delivery}/change/",
        "/admin/notifications/webhookdelivery/",
        "/admin/notifications/preference/",
    ],
)
def test_a_unit_login_opens_no_notification_page(client, unit_user, rows, path):
    hook, sub, delivery = rows
    client.force_login(unit_user)
    response = client.get(path.format(hook=hook.pk, sub=sub.pk, delivery=delivery.pk))
    assert response.status_code in {403, 302}
    assert b"robot-key-1234" not in response.content
    assert b"someone@example.com" not in response.content


def test_the_admin_index_lists_no_notification_models_for_a_unit(client, unit_user, rows):
    client.force_login(unit_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"/admin/notifications/" not in response.content


def test_staff_see_urls_masked_and_secrets_never(client, staff_user, rows):
    hook, sub, _delivery = rows
    client.force_login(staff_user)
    pages = [
        "/admin/notifications/unitwebhook/",
        f"/admin/notifications/unitwebhook/{hook.pk}/change/",
        "/admin/notifications/webhooksubscriber/",
        f"/admin/notifications/webhooksubscriber/{sub.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for secret in (b"robot-key-1234", b"SECdingtalk", b"hook-token-5678", b"hmac-secret-9999"):
            assert secret not in response.content, (page, secret)
    assert (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…" in client.get("/admin/notifications/unitwebhook/").content.decode()
    )


def test_saving_with_the_write_only_fields_empty_keeps_url_and_secret(client, staff_user, rows):
    hook, _sub, _delivery = rows
    client.force_login(staff_user)
    response = client.post(
        f"/admin/notifications/unitwebhook/{hook.pk}/change/",
        {"department": hook.department_id, "platform": "dingtalk", "url": "", "secret": "", "active": ""},
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.secret, hook.active) == (ROBOT_URL, "SECdingtalk", False)


def test_a_unit_sees_contact_details_of_its_own_unit_only(client, unit_user, departments):
    own = Person.objects.create(name="同事", department=departments["alpha"], phone="13900000001", email="mate@example.com")
    other = Person.objects.create(name="外单位", department=departments["beta"], phone="13900000002", email="far@example.com")
    client.force_login(unit_user)

    listing = client.get("/admin/targets/person/").content
    assert b"13900000002" not in listing
    assert b"far@example.com" not in listing
    assert b"13900000002" not in client.get(f"/admin/targets/person/{other.pk}/change/").content
    assert client.get(f"/admin/targets/person/{other.pk}/history/").status_code == 403
    assert b"13900000001" in client.get(f"/admin/targets/person/{own.pk}/change/").content
    # The search box does not become an oracle for other people's numbers.
    assert b"\xe5\xa4\x96\xe5\x8d\x95\xe4\xbd\x8d" not in client.get("/admin/targets/person/", {"q": "13900000002"}).content


def test_staff_see_everyones_contact_details(client, staff_user, departments):
    other = Person.objects.create(name="外单位", department=departments["beta"], phone="13900000002")
    client.force_login(staff_user)
    assert b"13900000002" in client.get(f"/admin/targets/person/{other.pk}/change/").content
