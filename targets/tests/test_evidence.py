"""Evidence files: types by content, size cap, thumbnails, who attaches, who downloads, and only as a download."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from targets import evidence, findings
from targets.findings import followup
from targets.models import Evidence, FindingReply, ProgressReport

from .admin_forms import add_inline_row, changeform_data, inline_errors
from .factories import AmountGoalFactory
from .supervision_data import make_finding

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def png(width=800, height=600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def word() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("整改报告")
    document.save(out)
    return out.getvalue()


def excel() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def own_finding(plan, departments):
    return make_finding(AmountGoalFactory(plan=plan, code="P-A", lead_department=departments["alpha"]))


@pytest.fixture
def other_finding(plan, departments):
    return make_finding(AmountGoalFactory(plan=plan, code="P-B", lead_department=departments["beta"]))


# --- types and sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("现场照片.png", png, "image"),
        ("整改报告.docx", word, "word"),
        ("台账.xlsx", excel, "excel"),
        ("通知.pdf", lambda: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n", "pdf"),
    ],
)
def test_the_allowed_types_are_recognised_by_content(name, make, kind):
    assert evidence.check_upload(name, make())[0] == kind


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("report.html", b"<html><script>alert(1)</script></html>", "type_not_allowed"),
        ("invoice.pdf", b"MZ\x90\x00 an executable renamed", "type_not_allowed"),
        ("photo.png", b"\x89PNG\r\n\x1a\n but not really an image", "type_not_allowed"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "type_not_allowed"),
        ("photo.pdf", png(), "extension_mismatch"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_other_content_is_refused_whatever_the_name(name, data, code):
    with pytest.raises(ValidationError) as exc:
        evidence.check_upload(name, data)
    assert exc.value.code == code


def test_a_plain_zip_or_an_office_file_with_macros_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
        package.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError):
        evidence.check_upload("report.docx", out.getvalue())
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as package:
        package.writestr("a.txt", "x")
    with pytest.raises(ValidationError):
        evidence.check_upload("report.docx", plain.getvalue())


def test_the_size_cap_is_a_setting(settings):
    settings.DUBAN_UPLOAD_MAX_MB = 1
    data = b"%PDF-1.7\n" + b"0" * (2**20)
    with pytest.raises(ValidationError) as exc:
        evidence.check_upload("big.pdf", data)
    assert exc.value.code == "too_large"


# --- attaching ------------------------------------------------------------------------------------------


def test_an_image_gets_a_thumbnail_and_a_random_stored_name(own_finding, unit_user):
    stored = evidence.attach(own_finding, upload("../../现场照片.png", png()), unit_user)
    assert (stored.kind, stored.content_type, stored.name) == ("image", "image/png", "现场照片.png")
    assert stored.file.name.startswith("evidence/")
    assert "现场照片" not in stored.file.name
    assert ".." not in stored.file.name
    with Image.open(stored.thumbnail.open("rb")) as thumb:
        assert thumb.width <= evidence.THUMBNAIL_WIDTH
    assert own_finding.events.get(kind="evidence").text == "现场照片.png"


def test_several_files_per_finding_reply_report_and_milestone(own_finding, unit_user):
    evidence.attach(own_finding, upload("a.pdf", b"%PDF-1.4 a"), unit_user)
    evidence.attach(own_finding, upload("b.docx", word()), unit_user)
    reply = followup.submit_reply(own_finding, "整改报告见附件", unit_user)
    evidence.attach(reply, upload("c.xlsx", excel()), unit_user)
    report = ProgressReport.objects.create(item=own_finding.item, as_of=D(2023, 7, 31), value=100)
    evidence.attach(report, upload("d.png", png()), unit_user)
    milestone = own_finding.item.milestones.create(title="开工", kind="start", planned_date=D(2023, 6, 1))
    evidence.attach(milestone, upload("e.jpg.png", png()), unit_user)
    assert (own_finding.files.count(), reply.files.count(), report.files.count(), milestone.files.count()) == (2, 1, 1, 1)


def test_a_unit_attaches_only_to_its_own_open_records(own_finding, other_finding, unit_user, staff_user):
    with pytest.raises(PermissionDenied):
        evidence.attach(other_finding, upload("a.pdf", b"%PDF-1.4"), unit_user)
    report = ProgressReport.objects.create(item=other_finding.item, as_of=D(2023, 7, 31), value=100)
    with pytest.raises(PermissionDenied):
        evidence.attach(report, upload("a.pdf", b"%PDF-1.4"), unit_user)
    findings.close_out(own_finding, staff_user, "已核验")
    with pytest.raises(PermissionDenied):
        evidence.attach(own_finding, upload("a.pdf", b"%PDF-1.4"), unit_user)
    assert not Evidence.objects.exists()


# --- serving -------------------------------------------------------------------------------------------


def test_files_are_served_only_to_who_may_see_them_and_as_a_download(client, own_finding, unit_user, other_unit_user, staff_user):
    stored = evidence.attach(own_finding, upload("现场照片.png", png()), unit_user)
    url = reverse("evidence:download", args=[stored.pk])

    response = client.get(url)
    assert response.status_code == 302  # to the login page
    assert "login" in response["Location"]

    client.force_login(other_unit_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("evidence:thumbnail", args=[stored.pk])).status_code == 404

    for user in (unit_user, staff_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == png()
    thumb = client.get(reverse("evidence:thumbnail", args=[stored.pk]))
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")


def test_a_cooperating_unit_sees_the_files_of_the_finding(client, own_finding, unit_user, other_unit_user, departments):
    stored = evidence.attach(own_finding, upload("a.pdf", b"%PDF-1.4"), unit_user)
    own_finding.cooperating_departments.add(departments["beta"])
    client.force_login(other_unit_user)
    assert client.get(reverse("evidence:download", args=[stored.pk])).status_code == 200


def test_the_media_folder_is_served_by_no_url(client, own_finding, unit_user, staff_user):
    stored = evidence.attach(own_finding, upload("a.pdf", b"%PDF-1.4"), unit_user)
    client.force_login(staff_user)
    assert client.get("/media/" + stored.file.name).status_code == 404


# --- the admin -----------------------------------------------------------------------------------------


def change_url(finding) -> str:
    return reverse("admin:targets_finding_change", args=[finding.pk])


def test_a_unit_uploads_evidence_and_a_reply_with_attachments_on_its_finding(client, own_finding, unit_user):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    data = add_inline_row(changeform_data(page), page, Evidence, upload=upload("照片.png", png()))
    data = add_inline_row(
        data, page, FindingReply, text="整改报告", attachments=[upload("报告.docx", word()), upload("表.xlsx", excel())]
    )
    response = client.post(change_url(own_finding), data)
    assert response.status_code == 302
    assert [f.name for f in own_finding.files.all()] == ["照片.png"]
    assert sorted(f.name for f in own_finding.replies.get().files.all()) == ["报告.docx", "表.xlsx"]
    page = client.get(change_url(own_finding))
    assert reverse("evidence:thumbnail", args=[own_finding.files.get().pk]).encode() in page.content


def test_a_bad_upload_is_an_error_on_its_row_and_nothing_is_saved(client, own_finding, unit_user):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    data = add_inline_row(changeform_data(page), page, Evidence, upload=upload("x.html", b"<script>alert(1)</script>"))
    response = client.post(change_url(own_finding), data)
    assert response.status_code == 200
    assert inline_errors(response, Evidence)[0]["upload"] == ["type_not_allowed"]
    assert not Evidence.objects.exists()


def test_a_unit_adds_files_on_its_progress_report_page_only(client, own_finding, other_finding, unit_user):
    own = ProgressReport.objects.create(item=own_finding.item, as_of=D(2023, 7, 31), value=100)
    other = ProgressReport.objects.create(item=other_finding.item, as_of=D(2023, 7, 31), value=100)
    client.force_login(unit_user)
    url = reverse("admin:targets_progressreport_change", args=[own.pk])
    page = client.get(url)
    data = add_inline_row(changeform_data(page), page, Evidence, upload=upload("形象进度.png", png()))
    assert client.post(url, data).status_code == 302
    assert [f.name for f in own.files.all()] == ["形象进度.png"]
    page = client.get(reverse("admin:targets_progressreport_change", args=[other.pk]))
    assert not any(i.formset.model is Evidence and i.has_add_permission for i in page.context["inline_admin_formsets"])
    assert client.get(reverse("admin:targets_progressreport_add")).status_code == 200  # no file inline before saving
