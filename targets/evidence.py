"""Evidence files (佐证材料): what may be uploaded, who may attach and who may download.

- Types: images (JPEG, PNG, GIF, WebP), PDF, Word (.docx, .doc) and Excel (.xlsx, .xls), recognised
  by their content (magic bytes; an Office file's package parts; an image that Pillow can decode),
  and the file name's extension must agree with the content. Anything else (an .html with a script,
  an .exe renamed .pdf, a .svg) is refused with a clear error.
- Size: at most settings.DUBAN_UPLOAD_MAX_MB; an Office package may not unpack past 20× that.
- Storage: under MEDIA_ROOT with a random name (the user's file name is kept only in the row); an
  image gets a JPEG thumbnail at most 240 px wide.
- Who: bureau staff attach to and read everything. A unit's user attaches to and reads the files of
  its own unit's findings (lead or cooperating unit; replies follow their finding) and of the
  progress reports and milestones of items its unit leads or cooperates on. Files are served only
  through targets.evidence_views, as downloads.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import findings
from .choices import EvidenceKind, FindingEventKind
from .models import Evidence, Finding, FindingReply, Milestone, ProgressReport
from .permissions import is_bureau_staff, user_department_id

THUMBNAIL_WIDTH = 240
# Pillow refuses to open an image bigger than this (a decompression bomb) instead of only warning.
MAX_IMAGE_PIXELS = 80_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .doc / .xls container
EXTENSIONS = {
    EvidenceKind.IMAGE: {"jpg", "jpeg", "png", "gif", "webp"},
    EvidenceKind.PDF: {"pdf"},
    EvidenceKind.WORD: {"docx", "doc"},
    EvidenceKind.EXCEL: {"xlsx", "xls"},
}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}


def max_bytes() -> int:
    return settings.DUBAN_UPLOAD_MAX_MB * 2**20


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if sum(info.file_size for info in package.infolist()) > 20 * max_bytes():
                raise refuse(_("The file unpacks to an implausible size."), "too_large")
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None  # not an Office package, or one carrying macros
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _image_format(data: bytes) -> str | None:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return {"jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp"}.get(fmt)


def sniff(data: bytes) -> str | None:
    """The file's real type by its content ("jpeg", "pdf", "docx" …), or None if not an allowed one."""
    head = data[:16]
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _image_format(data)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    if head.startswith(OLE2):
        return "ole2"  # .doc or .xls: the extension tells which
    return None


def kind_of(fmt: str) -> str:
    if fmt in ("jpeg", "png", "gif", "webp"):
        return EvidenceKind.IMAGE
    return {"pdf": EvidenceKind.PDF, "docx": EvidenceKind.WORD, "xlsx": EvidenceKind.EXCEL}[fmt]


def check_upload(name: str, data: bytes) -> tuple[str, str]:
    """(kind, content type) of an acceptable upload; a ValidationError naming the problem otherwise."""
    if not data:
        raise refuse(_("The file is empty."), "empty")
    if len(data) > max_bytes():
        raise refuse(_("The file is larger than %(mb)s MB.") % {"mb": settings.DUBAN_UPLOAD_MAX_MB}, "too_large")
    allowed = _("Allowed: images (JPG, PNG, GIF, WebP), PDF, Word and Excel files.")
    fmt = sniff(data)
    extension = extension_of(name)
    if fmt == "ole2":
        fmt = extension if extension in ("doc", "xls") else None
    if fmt is None:
        raise refuse(_("This type of file cannot be uploaded.") + " " + allowed, "type_not_allowed")
    kind = EvidenceKind.WORD if fmt == "doc" else EvidenceKind.EXCEL if fmt == "xls" else kind_of(fmt)
    if extension not in EXTENSIONS[kind]:
        raise refuse(
            _("The file's name (.%(extension)s) does not match its content (%(kind)s).")
            % {"extension": extension or "—", "kind": EvidenceKind(kind).label},
            "extension_mismatch",
        )
    return kind, CONTENT_TYPES[fmt]


def thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 4))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


# --- who ----------------------------------------------------------------------------------------


def owner_field(owner) -> str:
    if isinstance(owner, Finding):
        return "finding"
    if isinstance(owner, FindingReply):
        return "reply"
    if isinstance(owner, ProgressReport):
        return "report"
    if isinstance(owner, Milestone):
        return "milestone"
    raise TypeError(f"evidence cannot hang off {type(owner).__name__}")


def owner_of(evidence: Evidence):
    return evidence.finding or evidence.reply or evidence.report or evidence.milestone


def units_of(owner) -> set[int]:
    """The units whose users may see (and attach to) the owner's files."""
    if isinstance(owner, FindingReply):
        owner = owner.finding
    if isinstance(owner, Finding):
        units = {owner.department_id} | set(owner.cooperating_departments.values_list("pk", flat=True))
    else:
        item = owner.item
        units = {item.lead_department_id} | set(item.cooperating_departments.values_list("pk", flat=True))
    return {u for u in units if u is not None}


def may_see(user, evidence: Evidence) -> bool:
    if is_bureau_staff(user):
        return True
    department_id = user_department_id(user)
    return department_id is not None and department_id in units_of(owner_of(evidence))


def may_attach(user, owner) -> bool:
    if isinstance(owner, FindingReply | Finding):
        finding = owner.finding if isinstance(owner, FindingReply) else owner
        if not finding.is_open:
            return False
    if is_bureau_staff(user):
        return True
    department_id = user_department_id(user)
    return department_id is not None and department_id in units_of(owner)


@transaction.atomic
def attach(owner, upload, user) -> Evidence:
    """Check an uploaded file and store it as evidence of a finding, reply, report or milestone."""
    if not may_attach(user, owner):
        raise PermissionDenied(_("You may not add files to this record."))
    # Only the last part of the name the browser sent (never a path), kept for display and download.
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1] or "file"
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    kind, content_type = check_upload(name, data)
    evidence = Evidence(
        name=name[-200:], kind=kind, content_type=content_type, size=len(data), uploaded_by=user, **{owner_field(owner): owner}
    )
    evidence.file.save(name, ContentFile(data), save=False)
    if kind == EvidenceKind.IMAGE:
        evidence.thumbnail.save("thumb.jpg", ContentFile(thumbnail(data)), save=False)
    evidence._history_user = user
    evidence.save()
    finding = owner if isinstance(owner, Finding) else owner.finding if isinstance(owner, FindingReply) else None
    if finding is not None:
        findings.log(finding, FindingEventKind.EVIDENCE, user, evidence.name)
    return evidence
