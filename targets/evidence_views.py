"""Serving evidence files: only to logged-in users who may see the record, always as a download.

The files live under MEDIA_ROOT, which no URL maps; these views are the only way to read them. A
file the user may not see answers 404 (as if it did not exist), never 403, so ids cannot be probed.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_GET

from . import evidence as rules
from .models import Evidence


def _protect(response: FileResponse) -> FileResponse:
    # The browser must not guess another type, and a file opened anyway runs nothing.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _visible(request, pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("finding", "reply__finding", "report__item", "milestone__item"), pk=pk
    )
    if not rules.may_see(request.user, evidence):
        raise Http404
    return evidence


@require_GET
@login_required
def download(request, pk: int):
    evidence = _visible(request, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return _protect(FileResponse(handle, as_attachment=True, filename=evidence.name, content_type=evidence.content_type))


@require_GET
@login_required
def thumbnail(request, pk: int):
    evidence = _visible(request, pk)
    if not evidence.thumbnail:
        raise Http404
    try:
        handle = evidence.thumbnail.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return _protect(FileResponse(handle, content_type="image/jpeg"))


app_name = "evidence"
urlpatterns = [
    path("<int:pk>/", download, name="download"),
    path("<int:pk>/thumbnail/", thumbnail, name="thumbnail"),
]
