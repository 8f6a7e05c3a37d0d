"""The demo tour's digest preview: the week's staff digest rendered to a file, nothing sent.

The tour (`manage.py tour`) shows a newcomer what a weekly digest looks like without sending mail;
it renders exactly what `send_digests` would send bureau staff for that week.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .digests import build_digest, gather, iso_week, staff_digest
from .models import DeliveryKind


def write_staff_digest_preview(as_of: dt.date, folder: Path) -> Path:
    """Write the staff digest of as_of's ISO week as an HTML file (and its plain text beside it)."""
    week = gather(as_of)
    ctx = staff_digest(week, [])
    reader = {"user_id": None, "id": None, "name": "局机关督办人员", "email": "staff@example.invalid"}
    message = build_digest(week, reader, ctx, DeliveryKind.DIGEST_STAFF)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"digest-staff-{iso_week(as_of)}"
    html = stem.with_suffix(".html")
    html.write_text(message.alternatives[0][0], encoding="utf-8")
    stem.with_suffix(".txt").write_text(f"Subject: {message.subject}\n\n{message.body}", encoding="utf-8")
    return html
