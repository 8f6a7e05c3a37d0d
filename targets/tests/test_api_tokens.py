"""API tokens: issued once by a command, stored hashed, refused when expired or revoked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from targets.models import ApiToken
from targets.models.api import hash_key


def issue(*args) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def get(key: str, url: str = "/api/v1/plans/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(url)


def test_issue_token_prints_a_key_and_stores_only_its_hash(unit_user):
    key = issue("alpha")
    token = ApiToken.objects.get()
    assert token.user == unit_user
    assert not token.read_only
    assert token.expires_at is None
    assert token.key_hash == hash_key(key)
    assert key not in token.key_hash
    assert token.prefix == key[:8]
    assert get(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_read_only_and_expiry_options(unit_user):
    issue("alpha", "--read-only", "--expires-days", "30")
    token = ApiToken.objects.get()
    assert token.read_only
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)


def test_unknown_user_is_an_error(db):
    with pytest.raises(CommandError):
        issue("nobody")


def test_an_expired_token_is_refused(unit_user):
    key = issue("alpha", "--expires-days", "1")
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = get(key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_refused(unit_user):
    key = issue("alpha")
    ApiToken.objects.update(revoked_at=timezone.now())
    assert get(key).status_code == 401


def test_a_wrong_key_with_a_known_prefix_is_refused(unit_user):
    key = issue("alpha")
    assert get(key[:8] + "x" * 35).status_code == 401


def test_an_inactive_users_token_is_refused(unit_user):
    key = issue("alpha")
    unit_user.is_active = False
    unit_user.save()
    assert get(key).status_code == 401


def test_revoke_from_the_admin(client, staff_user, unit_user):
    key = issue("alpha")
    token = ApiToken.objects.get()
    client.force_login(staff_user)
    response = client.post("/admin/targets/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get(key).status_code == 401


def test_throttling_answers_429_per_token(api, unit_user, monkeypatch):
    from targets.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "get_rate", lambda _self: "2/minute")
    first, second = api(unit_user), api(unit_user)
    assert [first.get("/api/v1/plans/").status_code for _ in range(3)] == [200, 200, 429]
    limited = first.get("/api/v1/plans/")
    assert "Retry-After" in limited
    assert limited.json()["code"] == "throttled"
    assert second.get("/api/v1/plans/").status_code == 200


def test_units_do_not_see_the_token_list(client, unit_user):
    issue("alpha")
    client.force_login(unit_user)
    assert client.get("/admin/targets/apitoken/").status_code == 403
