"""`Authorization: Bearer <key>` (or v1's `Token <key>`): ApiToken lookup by prefix, then a constant-time hash comparison."""

# ruff: noqa: ARG002 - DRF and admin hooks have fixed signatures
from __future__ import annotations

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken
from ..models.api import PREFIX_LENGTH, hash_key


class TokenAuthentication(authentication.TokenAuthentication):
    # Bearer is what OpenAPI generators send; Token is what v1 documented. Both are accepted.
    keyword = "Bearer"
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if not auth or auth[0].lower() not in self.keywords:
            return None
        # DRF's own messages (and their translations).
        if len(auth) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(auth) > 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header. Token string should not contain spaces."))
        try:
            key = auth[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from exc
        return self.authenticate_credentials(key)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    def authenticate_credentials(self, key: str):
        digest = hash_key(key)
        candidates = ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH])
        token = next((t for t in candidates if hmac.compare_digest(t.key_hash, digest)), None)
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        # One write a minute at most: the timestamp is for operators, not an audit trail.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "targets.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "API 令牌（`manage.py issue_token` 签发）：`Authorization: Bearer <令牌>`；v1 的 `Token <令牌>` 同样有效。\n\n"
                "An API token (`manage.py issue_token`): `Authorization: Bearer <token>`; v1's `Token <token>` works too."
            ),
        }
