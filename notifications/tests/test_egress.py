"""Outgoing requests go only where they may: http(s), public addresses or the allow-list; no redirects."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from notifications.egress import RefusedDestination, address_allowed, check_url, mask_url, open_url
from notifications.models import WebhookDelivery, WebhookSubscriber
from notifications.outgoing import dispatch_webhooks


class Listener:
    """A local endpoint that records each path it is asked for; /redirect answers 302 to /elsewhere."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                listener.paths.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def no_allowances(settings):
    settings.DUBAN_OUTGOING_ALLOW = []
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/x",
        "file:///etc/passwd",
        "http://127.0.0.1:5432/",
        "http://localhost:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_a_refused_url_gets_a_clear_error_when_saved(no_allowances, url):
    with pytest.raises(ValidationError) as caught:
        check_url(url)
    assert caught.value.code == "url_refused"


def test_public_addresses_pass(no_allowances):
    check_url("https://93.184.216.34/hook")
    check_url("http://[2606:4700::1111]/hook")


def test_the_allow_list_admits_named_hosts_and_networks_but_never_multicast(settings):
    settings.DUBAN_OUTGOING_ALLOW = ["10.1.2.0/24", "hooks.intra"]
    check_url("http://10.1.2.3/hook")
    with pytest.raises(ValidationError):
        check_url("http://10.1.3.3/hook")
    assert not address_allowed("224.0.0.1", "hooks.intra")
    assert address_allowed("10.9.9.9", "hooks.intra")


@pytest.mark.django_db
def test_model_validation_refuses_the_url_on_the_url_field(no_allowances):
    subscriber = WebhookSubscriber(name="metadata", url="http://169.254.169.254/latest/meta-data/", secret="s")
    with pytest.raises(ValidationError) as caught:
        subscriber.full_clean()
    assert "url" in caught.value.message_dict
    assert "DUBAN_OUTGOING_ALLOW" in caught.value.message_dict["url"][0]


def test_loopback_is_refused_at_connect_time_and_nothing_is_sent(no_allowances, listener):
    request = urllib.request.Request(f"http://localhost:{listener.port}/hook", data=b"{}", method="POST")
    with pytest.raises(RefusedDestination, match=r"refused destination 127\.0\.0\.1"):
        open_url(request)
    assert listener.paths == []


def test_a_name_that_passed_when_saved_is_checked_again_at_connect(no_allowances, listener, monkeypatch):
    real = socket.getaddrinfo
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", listener.port))]])

    def rebinding(host, port, *args, **kwargs):
        # The first lookup (model validation) says public; every later one says loopback.
        if host == "rebind.example":
            return next(answers, None) or real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    check_url(f"http://rebind.example:{listener.port}/hook")
    with pytest.raises(RefusedDestination):
        open_url(urllib.request.Request(f"http://rebind.example:{listener.port}/hook", data=b"{}", method="POST"))
    assert listener.paths == []


def test_only_http_and_https_are_opened():
    with pytest.raises(RefusedDestination):
        open_url(urllib.request.Request("file:///etc/passwd"))


def test_redirects_are_not_followed(listener):
    # Loopback is allowed by the test settings (DUBAN_OUTGOING_ALLOW), as for the CI's local listener.
    with pytest.raises(urllib.error.HTTPError) as caught:
        open_url(urllib.request.Request(f"http://127.0.0.1:{listener.port}/redirect", data=b"{}", method="POST"))
    assert caught.value.code == 302
    assert listener.paths == ["/redirect"]


@pytest.mark.django_db
def test_send_webhooks_never_connects_to_a_refused_subscriber(no_allowances, listener, fast_retries, time_machine):
    import datetime as dt

    from targets.models import StatusEvent
    from targets.tests.factories import TargetFactory

    sub = WebhookSubscriber.objects.create(name="old row", url=f"http://127.0.0.1:{listener.port}/hook", secret="s")
    time_machine.shift(dt.timedelta(minutes=1))
    StatusEvent.objects.create(item=TargetFactory(), date=dt.date(2024, 2, 29), old_status="green", new_status="red")

    summary = dispatch_webhooks()

    assert (summary.sent, summary.failed) == (0, 1)
    assert listener.paths == []
    assert "refused destination 127.0.0.1" in WebhookDelivery.objects.get(subscriber=sub).last_error


def test_pages_show_a_masked_url():
    assert mask_url("https://oapi.dingtalk.com/robot/send?access_token=abc") == "https://oapi.dingtalk.com/robot/send?…"
    assert mask_url("https://user:pw@hooks.example.com:8443/x") == "https://hooks.example.com:8443/x"
