"""The second channel: a unit's weekly digest as Markdown to its WeCom or DingTalk group robot.

Both robots take a JSON POST and answer {"errcode": 0, ...}; anything else is a TransportError and
is retried and recorded in the ledger like a failed mail. DingTalk robots with the "sign" security
setting need timestamp and sign query parameters: base64(HMAC-SHA256(secret, "<ms>\\n<secret>")).
WeCom robots are authorised by the key in their URL and take no signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .delivery import TransportError
from .egress import open_url
from .models import WebhookPlatform

# WeCom refuses Markdown over 4,096 bytes; DingTalk allows 20,000.
LIMITS = {WebhookPlatform.WECOM: 4096, WebhookPlatform.DINGTALK: 20000}


@dataclass
class RobotMessage:
    platform: str
    url: str
    secret: str
    subject: str
    markdown: str


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(message: RobotMessage, timestamp_ms: int | None = None) -> str:
    if message.platform != WebhookPlatform.DINGTALK or not message.secret:
        return message.url
    ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(message.secret, ts)})
    return f"{message.url}{'&' if '?' in message.url else '?'}{query}"


def clip(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 20].decode(errors="ignore").rstrip() + "\n\n……（内容过长，已截断）"


def payload(message: RobotMessage) -> dict:
    text = clip(message.markdown, LIMITS[message.platform])
    if message.platform == WebhookPlatform.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post(message: RobotMessage) -> None:
    body = json.dumps(payload(message), ensure_ascii=False).encode()
    request = urllib.request.Request(
        signed_url(message), data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with open_url(request) as response:
        answer = json.loads(response.read() or b"{}")
    if answer.get("errcode", 0) != 0:
        raise TransportError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def build(hook: dict, ctx: dict) -> RobotMessage:
    with translation.override(settings.LANGUAGE_CODE):
        markdown = render_to_string("robots/digest.md", {"site_url": settings.SITE_URL, **ctx})
    subject = f"督办周报 {ctx['week']} {hook['unit']}"
    return RobotMessage(hook["platform"], hook["url"], hook["secret"], subject, markdown)
