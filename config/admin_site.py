"""The admin site: Chinese titles and the plan's headline numbers on the home page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class DubanAdminSite(admin.AdminSite):
    site_header = _("Duban: target supervision")
    site_title = _("Duban")
    index_title = _("Home")

    def index(self, request, extra_context=None):
        from targets.headlines import headline_context

        extra_context = {**(extra_context or {}), **headline_context()}
        return super().index(request, extra_context)
