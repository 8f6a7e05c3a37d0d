"""身份鉴别: account lockout, the per-address throttle, idle sessions, password complexity and expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_user
from security.models import AuditAction, AuditEvent, PasswordAge

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def attempt(client, username, password, ip="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password, "next": INDEX}, REMOTE_ADDR=ip)


@pytest.fixture
def staff(django_user_model, time_machine):
    time_machine.move_to(START, tick=False)
    return make_user(django_user_model, "staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)


def test_five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(client, staff, time_machine):
    for _ in range(5):
        assert attempt(client, "staff", "wrong").status_code in {200, 429}

    locked = attempt(client, "staff", "pw-staff")
    assert locked.status_code == 429
    assert "账号已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, username="staff").exists()

    time_machine.move_to(START + dt.timedelta(minutes=14), tick=False)
    assert attempt(client, "staff", "pw-staff").status_code == 429
    time_machine.move_to(START + dt.timedelta(minutes=30), tick=False)
    assert attempt(client, "staff", "pw-staff").status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_success_resets_the_count_of_consecutive_failures(client, staff):
    for _ in range(4):
        attempt(client, "staff", "wrong")
    assert attempt(client, "staff", "pw-staff").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "staff", "wrong")
    assert attempt(client, "staff", "pw-staff").status_code == 302


def test_staff_see_the_lock_and_lift_it(client, staff, django_user_model):
    victim = make_user(django_user_model, "victim", group=settings.DUBAN_UNIT_REPORTER_GROUP)
    for _ in range(5):
        attempt(client, "victim", "wrong")
    assert attempt(client, "victim", "pw-victim").status_code == 429

    client.force_login(staff)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert b"victim" in listing.content
    row = AccessAttempt.objects.get(username="victim")
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert response.status_code == 302
    lifted = AuditEvent.objects.get(action=AuditAction.LOCK_LIFTED)
    assert (lifted.username, lifted.target) == ("staff", "user:victim ip:192.0.2.10")

    client.logout()
    assert attempt(client, "victim", "pw-victim").status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_too_many_failures_from_one_address_throttle_it_but_not_others(client, staff, settings):
    settings.DUBAN_LOGIN_FAILURES_PER_ADDRESS = 6
    for n in range(6):  # six different names: no single account reaches its lockout
        attempt(client, f"guess{n}", "wrong", ip="198.51.100.7")

    assert attempt(client, "staff", "pw-staff", ip="198.51.100.7").status_code == 200  # the form again
    assert "_auth_user_id" not in client.session
    assert attempt(client, "staff", "pw-staff", ip="198.51.100.8").status_code == 302


def test_the_client_address_behind_a_trusted_proxy_comes_from_x_forwarded_for(client, staff, settings):
    settings.DUBAN_TRUSTED_PROXIES = 1
    client.post(
        LOGIN,
        {"username": "staff", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.44",
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip == "192.0.2.44"


def test_an_idle_session_ends_after_thirty_minutes(client, staff, time_machine):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(staff)
    for minutes in (29, 58, 87):  # each request within 30 minutes of the last keeps it alive
        time_machine.move_to(START + dt.timedelta(minutes=minutes), tick=False)
        assert client.get(INDEX).status_code == 200
    time_machine.move_to(START + dt.timedelta(minutes=87 + 31), tick=False)
    assert client.get(INDEX).status_code == 302


@pytest.mark.parametrize("password", ["abcdefghijkl", "ABCDEFGH1234", "Duban2023xy"[:9]])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_of_three_character_kinds_and_ten_characters_passes():
    validate_password("Jiaojiang-2023")
    with pytest.raises(ValidationError) as caught:
        validate_password("jiaojiangfagaiju")
    assert "password_too_simple" in [e.code for e in caught.value.error_list]


def test_an_expired_password_must_be_changed_before_anything_else(client, staff, time_machine):
    client.force_login(staff)  # a login the policy has not seen yet starts its clock
    assert PasswordAge.objects.get(user=staff).changed_at == START
    time_machine.move_to(START + dt.timedelta(days=91), tick=False)
    client.force_login(staff)  # the next day's login

    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200

    changed = client.post(
        reverse("admin:password_change"),
        {"old_password": "pw-staff", "new_password1": "Jiaojiang-2026!", "new_password2": "Jiaojiang-2026!"},
    )
    assert changed.status_code == 302
    assert client.get(INDEX).status_code == 200
    assert PasswordAge.objects.get(user=staff).changed_at == START + dt.timedelta(days=91)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, target="user:staff", username="staff").exists()


def test_a_login_without_a_request_skips_the_lock_check_but_not_the_password(client, staff):
    # The test client's login() authenticates without a request: no client, no attempt to count.
    assert client.login(username="staff", password="pw-staff")
    assert not client.login(username="staff", password="wrong")
