"""Preferences: the signed one-click unsubscribe link for optional kinds, and delegation of statutory ones.

The link carries a signed "person:kind" token (django.core.signing, no login). A GET shows a
confirm form (link scanners follow GETs and must not unsubscribe anyone); a POST, from the form or
from a mail client honouring RFC 8058 List-Unsubscribe-Post, mutes the kind.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import OPTIONAL_KINDS, Preference

SALT = "notifications.unsubscribe"


def unsubscribe_token(person_id: int, kind: str) -> str:
    return signing.dumps({"p": person_id, "k": str(kind)}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in OPTIONAL_KINDS:
        return None
    return int(data["p"]), data["k"]


def unsubscribe_url(person_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications-unsubscribe", args=[unsubscribe_token(person_id, kind)])


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def muted_and_delegates() -> tuple[set[int], dict[int, dict]]:
    """Who muted the optional digest, and who receives whose statutory notices (two queries)."""
    muted = set(Preference.objects.filter(digest_muted=True).values_list("person_id", flat=True))
    delegates = {
        person_id: {"id": pk, "name": name, "email": email, "department_id": dept}
        for person_id, pk, name, email, dept in Preference.objects.filter(
            delegate__isnull=False, delegate__active=True
        ).values_list("person_id", "delegate_id", "delegate__name", "delegate__email", "delegate__department_id")
    }
    return muted, delegates
