"""Routes of the targets app's v1 API (mounted under /api/v1/ by config.api_router)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet)
router.register("people", views.PersonViewSet)
router.register("plans", views.PlanViewSet)
router.register("targets", views.TargetViewSet)
router.register("milestones", views.MilestoneViewSet)
router.register("progress-reports", views.ProgressReportViewSet)
router.register("findings", views.FindingViewSet)
router.register("supervision-rounds", views.SupervisionRoundViewSet)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("status/", views.StatusView.as_view(), name="status"),
    *router.urls,
]
