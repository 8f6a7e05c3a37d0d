"""The page a locked account sees (django-axes' AXES_LOCKOUT_CALLABLE), inside the admin's frame."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):  # noqa: ARG001 (axes' signature)
    context = {**admin.site.each_context(request), "title": None, "is_nav_sidebar_enabled": False}
    return render(request, "security/locked_out.html", context, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))
