"""One message builder for every email: a subject / text / HTML template triple per kind.

    make_message("digest", to, ctx) renders emails/digest-subject.txt, -body.txt and -body.html.

The templates are Chinese documents written in Chinese; the context must be plain data (lists and
dicts gathered beforehand) so that rendering makes no database queries.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def make_message(name: str, to: list[str], ctx: dict, *, cc: list[str] | None = None, headers: dict | None = None):
    ctx = {"site_url": settings.SITE_URL, **ctx}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}-body.txt", ctx)
        html = render_to_string(f"emails/{name}-body.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=to, cc=cc or [], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message
