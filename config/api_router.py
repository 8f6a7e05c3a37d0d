"""The REST API: /api/v1/ (namespace "api"), its root, the OpenAPI schema and Swagger UI."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

import projects.api.urls
import targets.api.urls

v1 = [*targets.api.urls.urlpatterns, *projects.api.urls.urlpatterns]
RESOURCES = [
    "me",
    "status",
    "plans",
    "targets",
    "projects",
    "progress-reports",
    "milestones",
    "blockers",
    "findings",
    "supervision-rounds",
    "departments",
    "people",
]


@extend_schema(exclude=True)
class ApiRoot(APIView):
    """/api/v1/: links to every resource, the schema and its documentation."""

    def get(self, request):
        links = {name: f"{reverse('api:api-root', request=request)}{name}/" for name in RESOURCES}
        return Response(
            {
                **links,
                "schema": reverse("api-schema", request=request),
                "docs": reverse("api-docs", request=request),
                "changelog": "docs/api-changelog.md",
            }
        )


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored sidecar assets; its script is a separate file (no inline script).

    A browser without a session is sent to the admin's login page and back.
    """

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


urlpatterns = [
    path("v1/", include(([path("", ApiRoot.as_view(), name="api-root"), *v1], "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), not inline: the CSP allows no inline script.
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
