"""Group robots: the unit's digest as Markdown to a local HTTP server that checks payload and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.digests import send_digests
from notifications.models import Delivery, DeliveryKind, DeliveryStatus, UnitWebhook
from notifications.tests.scenario import MONDAY, build

pytestmark = pytest.mark.django_db

SECRET = "SECtest-secret"


class Robot:
    """A stand-in for the 企业微信 / 钉钉 robot API: records requests, verifies DingTalk's signature."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict, dict]] = []  # (path, query, json body)
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = robot.answer
                if parsed.path == "/dingtalk":
                    expected = base64.b64encode(
                        hmac.new(SECRET.encode(), f"{query.get('timestamp')}\n{SECRET}".encode(), hashlib.sha256).digest()
                    ).decode()
                    if query.get("sign") != expected:
                        answer = {"errcode": 310000, "errmsg": "sign not match"}
                robot.received.append((parsed.path, query, body))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.close()


def test_it_posts_the_unit_digest_to_wecom_and_signed_to_dingtalk(staff, robot, fast_retries):
    _plan, _leader, projects = build()
    unit = projects["P1"].lead_department
    UnitWebhook.objects.create(department=unit, platform="wecom", url=f"{robot.url}/wecom?key=abc")
    UnitWebhook.objects.create(department=unit, platform="dingtalk", url=f"{robot.url}/dingtalk?access_token=t", secret=SECRET)
    UnitWebhook.objects.create(department=projects["P3"].lead_department, platform="wecom", url=f"{robot.url}/green")

    send_digests(MONDAY)

    paths = sorted(path for path, _q, _b in robot.received)
    assert paths == ["/dingtalk", "/wecom"]  # the green unit has nothing to say
    wecom = next(b for p, _q, b in robot.received if p == "/wecom")
    assert wecom["msgtype"] == "markdown"
    assert "【红灯】[P1" in wecom["markdown"]["content"]
    assert "/admin/projects/project/" in wecom["markdown"]["content"]
    ding_query, ding = next((q, b) for p, q, b in robot.received if p == "/dingtalk")
    assert ding_query["access_token"] == "t"
    assert ding["markdown"]["title"].startswith("督办周报 2023-W28")
    rows = Delivery.objects.filter(kind=DeliveryKind.WEBHOOK_DIGEST)
    assert sorted(rows.values_list("status", flat=True)) == [DeliveryStatus.SENT, DeliveryStatus.SENT]

    send_digests(MONDAY)
    assert len(robot.received) == 2  # once per robot and week


def test_a_refused_message_is_retried_marked_failed_and_sent_by_the_next_run(staff, robot, fast_retries):
    _plan, _leader, projects = build()
    UnitWebhook.objects.create(department=projects["P1"].lead_department, platform="wecom", url=f"{robot.url}/wecom?key=x")
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}

    send_digests(MONDAY)

    row = Delivery.objects.get(kind=DeliveryKind.WEBHOOK_DIGEST)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert "errcode 93000" in row.last_error
    assert len(robot.received) == 3

    robot.answer = {"errcode": 0, "errmsg": "ok"}
    send_digests(MONDAY)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 4)
    assert len(robot.received) == 4


def test_a_wrong_dingtalk_secret_fails_with_the_platform_s_error(staff, robot, fast_retries):
    _plan, _leader, projects = build()
    UnitWebhook.objects.create(
        department=projects["P1"].lead_department, platform="dingtalk", url=f"{robot.url}/dingtalk", secret="SECwrong"
    )

    send_digests(MONDAY)

    assert "sign not match" in Delivery.objects.get(kind=DeliveryKind.WEBHOOK_DIGEST).last_error
