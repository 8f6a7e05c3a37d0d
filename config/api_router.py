"""The REST API: /api/v1/ (namespace "api"), the OpenAPI schema and Swagger UI."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import projects.api.urls
import targets.api.urls

v1 = [*targets.api.urls.urlpatterns, *projects.api.urls.urlpatterns]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), not inline: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
