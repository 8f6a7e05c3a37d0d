"""Where outgoing requests (webhooks, group robots) may go, and the one opener that sends them.

    check_url(url)            -> None, or ValidationError(code="url_refused")  (model validation)
    open_url(request, timeout) -> the response; RefusedDestination before any byte leaves

Only http(s); never loopback, link-local, multicast or other non-public addresses, unless the host
or network is listed in settings.DUBAN_OUTGOING_ALLOW (an intranet deployment lists its
subscribers there; empty by default; multicast and the unspecified address are never allowed).
A name is checked after DNS resolution when the URL is saved, and resolved and checked again at
connect time, where the socket connects to the very address that passed (no second lookup to
rebind). Redirects are not followed and proxies from the environment are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TransportError(Exception):
    """A channel answered but refused the message (e.g. a webhook's non-zero errcode); the delivery
    ledger retries it (notifications.delivery.TRANSIENT)."""


class RefusedDestination(TransportError):
    """The URL or one of its addresses is not a place Duban sends requests to."""


def _allow_list() -> tuple[set[str], list]:
    """The explicit allowances: host names (lower case) and networks."""
    hosts: set[str] = set()
    networks = []
    for entry in getattr(settings, "DUBAN_OUTGOING_ALLOW", []) or []:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            hosts.add(entry)
    return hosts, networks


def _address(raw: str) -> Address:
    ip = ipaddress.ip_address(raw.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def address_allowed(raw: str, host: str = "") -> bool:
    """May a request to `host` connect to the address `raw`?"""
    ip = _address(raw)
    if ip.is_multicast or ip.is_unspecified:
        return False
    hosts, networks = _allow_list()
    if host.lower().strip("[]") in hosts or any(ip.version == net.version and ip in net for net in networks):
        return True
    # Loopback, link-local (169.254.169.254 cloud metadata), private, shared and reserved ranges.
    return ip.is_global


def _split(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise RefusedDestination(_("Only http and https URLs are allowed."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedDestination(_("The URL's port is not valid.")) from exc
    if not parts.hostname:
        raise RefusedDestination(_("The URL has no host."))
    return scheme, parts.hostname, port


def _is_literal(host: str) -> bool:
    try:
        _address(host)
    except ValueError:
        return False
    return True


def check_url(url: str, *, resolve: bool = True) -> None:
    """Model validation: a clear error for a URL Duban will not send to.

    A name that does not resolve now is let through (an intranet name may be unknown where the form is
    saved): open_url checks the addresses again when it connects.
    """
    try:
        _scheme, host, port = _split(url)
        if _is_literal(host):
            addresses = [host]
        elif resolve:
            try:
                addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
            except (OSError, UnicodeError):
                addresses = []
        else:
            addresses = []
        refused = [a for a in addresses if not address_allowed(a, host)]
        if refused:
            raise RefusedDestination(
                _(
                    "Requests to %(address)s are not allowed (loopback, link-local, multicast and private "
                    "addresses need an entry in DUBAN_OUTGOING_ALLOW)."
                )
                % {"address": refused[0]}
            )
    except RefusedDestination as exc:
        raise ValidationError(str(exc), code="url_refused") from exc


def _create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, but only to addresses that pass address_allowed (checked here, at connect)."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if not address_allowed(sockaddr[0], host):
            error = RefusedDestination(f"refused destination {sockaddr[0]} for host {host}")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address for {host}")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is an error (HTTPError with its code), never a second request elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ARG002 (urllib's signature)
        return None


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    # No ProxyHandler: an environment proxy would connect on our behalf, past the address check.
    for handler in (
        _HTTPHandler(),
        _HTTPSHandler(),
        _NoRedirect(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


def open_url(request: urllib.request.Request, timeout: float | None = None):
    """urlopen for outgoing requests: the scheme and every address checked, no redirects, a short timeout."""
    _split(request.full_url)
    limit = settings.DUBAN_WEBHOOK_TIMEOUT
    return _opener().open(request, timeout=min(timeout, limit) if timeout else limit)


def mask_url(url: str) -> str:
    """What a page may show of a robot or subscriber URL: scheme, host and path, never the key or token."""
    parts = urllib.parse.urlsplit(url or "")
    if not parts.scheme:
        return ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{query}"
