"""`Authorization: Token <key>`: ApiToken lookup by prefix, then a constant-time hash comparison."""

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
    keyword = "Token"

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
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <key>"}
