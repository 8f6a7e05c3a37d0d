"""The admin site: Chinese titles and the plan's headline numbers on the home page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class DubanAdminSite(admin.AdminSite):
    site_header = _("Duban: target supervision")
    site_title = _("Duban")
    index_title = _("Home")

    def index(self, request, extra_context=None):
        from django.utils import timezone

        from notifications.delivery import recent_failures
        from targets.headlines import headline_context
        from targets.permissions import is_bureau_staff

        extra_context = {**(extra_context or {}), **headline_context()}
        # The link to the dashboard, for those who may open it.
        extra_context["duban_dashboard"] = is_bureau_staff(request.user)
        # Staff are told here when messages could not be sent (an SMTP outage: e-mail cannot tell them).
        extra_context["duban_failed_deliveries"] = recent_failures(timezone.now()) if is_bureau_staff(request.user) else None
        return super().index(request, extra_context)

    def get_urls(self):
        from functools import partial

        from django.urls import path

        from projects.dashboard import views

        # The 三图表 dashboard (bureau staff; the views refuse unit users).
        return [
            path("dashboard/", self.admin_view(partial(views.dashboard_view, site=self)), name="dashboard"),
            path("dashboard/xlsx/", self.admin_view(partial(views.dashboard_xlsx, site=self)), name="dashboard_xlsx"),
            path("dashboard/circular/", self.admin_view(partial(views.circular_docx, site=self)), name="dashboard_circular"),
            *super().get_urls(),
        ]
