"""The client's address: REMOTE_ADDR, or the address the trusted reverse proxies saw.

Behind the TLS proxy every request comes from the proxy. With DUBAN_TRUSTED_PROXIES = n (the proxies
in front of gunicorn, 0 by default), the client is the n-th address from the right of
X-Forwarded-For; anything further left was written by the client and is not trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    hops = getattr(settings, "DUBAN_TRUSTED_PROXIES", 0)
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < hops:
        return remote
    candidate = chain[-hops]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate
