from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView


def healthz(_request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("api/", include("config.api_router")),
    # Uploaded evidence: only through these views (login, the unit rule, as a download); MEDIA_ROOT
    # itself is served by no URL, in development as in production.
    path("files/evidence/", include("targets.evidence_views")),
]
