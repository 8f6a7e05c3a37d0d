"""Routes of the projects endpoints (mounted under /api/v1/ by config.api_router)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet)
router.register("blockers", views.BlockerViewSet)

urlpatterns = router.urls
