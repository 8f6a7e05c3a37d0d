"""The plan's frame in the admin: units, people, plans and baselines."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ..choices import ItemKind
from ..models import Baseline, Department, Person, Plan
from ..permissions import is_bureau_staff, user_department_id
from .helpers import (
    DubanAdmin,
    StaffWriteMixin,
)
from .paging import RelatedOnlyExistsFilter


@admin.register(Department)
class DepartmentAdmin(DubanAdmin):
    list_display = ("name", "short_name", "kind", "parent", "head", "item_count", "active")
    list_filter = ("kind", "active", "is_demo")
    list_select_related = ("parent", "head")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "head")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "parent", "head")}),
        (_("Status"), {"fields": ("active", "is_demo")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(duban_item_count=Count("led_items", distinct=True))

    @admin.display(description=_("items led"), ordering="duban_item_count")
    def item_count(self, obj):
        return obj.duban_item_count


@admin.register(Person)
class PersonAdmin(DubanAdmin):
    """Units see names and roles; phone and e-mail only of their own unit's people (least privilege)."""

    list_display = ("name", "title", "department", "phone", "email", "is_leader", "user", "active")
    list_filter = ("is_leader", "active", ("department", RelatedOnlyExistsFilter), "is_demo")
    list_select_related = ("department", "user")
    search_fields = ("name", "title", "phone", "department__name", "department__short_name")
    autocomplete_fields = ("department",)
    fieldsets = (
        (None, {"fields": ("name", "title", "department", "is_leader")}),
        (_("Contact"), {"fields": ("phone", "email")}),
        (_("Login"), {"fields": ("user",), "description": _("Link a login to let this person report for the unit.")}),
        (_("Status"), {"fields": ("active", "is_demo")}),
    )
    contact_fields = ("phone", "email")

    def shows_contact(self, request, obj=None) -> bool:
        if is_bureau_staff(request.user):
            return True
        department_id = user_department_id(request.user)
        return obj is not None and department_id is not None and obj.department_id == department_id

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if is_bureau_staff(request.user) else [f for f in shown if f not in self.contact_fields]

    def get_search_fields(self, request):
        shown = super().get_search_fields(request)
        return shown if is_bureau_staff(request.user) else [f for f in shown if f not in self.contact_fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.shows_contact(request, obj):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if not set(opts["fields"]) & set(self.contact_fields)]

    def history_view(self, request, object_id, extra_context=None):
        # A person's history holds every earlier phone and e-mail.
        if not self.shows_contact(request, self.get_object(request, unquote(object_id))):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.shows_contact(request, self.get_object(request, unquote(object_id))):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Plan)
class PlanAdmin(DubanAdmin):
    list_display = (
        "year",
        "title",
        "period_start",
        "period_end",
        "goal_count",
        "project_count",
        "threshold_green",
        "threshold_red",
    )
    search_fields = ("title", "source")
    fieldsets = (
        (None, {"fields": ("year", "title", "source", ("period_start", "period_end"))}),
        (
            _("Status thresholds"),
            {
                "fields": ("threshold_green", "threshold_red", "threshold_blue"),
                "description": _("Ratio of the actual to the expected value to date (序时进度)."),
            },
        ),
        (_("Reporting"), {"fields": ("report_due_day", "due_soon_days", "reports_need_review")}),
        (
            _("findings"),
            {
                "fields": (
                    ("finding_deadline_workdays", "reply_workdays"),
                    ("escalate_warning_days", "escalate_supervision_days"),
                    "recheck_days",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                duban_goals=Count("items", filter=Q(items__kind=ItemKind.GOAL)),
                duban_projects=Count("items", filter=Q(items__kind=ItemKind.PROJECT)),
            )
        )

    @admin.display(description=_("goals"), ordering="duban_goals")
    def goal_count(self, obj):
        return obj.duban_goals

    @admin.display(description=_("projects"), ordering="duban_projects")
    def project_count(self, obj):
        return obj.duban_projects


@admin.register(Baseline)
class BaselineAdmin(StaffWriteMixin, admin.ModelAdmin):
    # Baseline has no HistoricalRecords, so this page keeps Django's own change log only.
    list_display = ("code", "short_text", "value_text", "unit", "year", "plan")
    list_filter = ("plan", "year")
    list_select_related = ("plan",)
    search_fields = ("code", "text", "gloss_en")
    autocomplete_fields = ("targets",)
    fieldsets = (
        (None, {"fields": ("plan", "code", "year", "section_ref")}),
        (_("Figure"), {"fields": ("text", "gloss_en", "value", "value_text", "unit", "notes")}),
        (_("Goals it informs"), {"fields": ("targets",)}),
    )

    class Media:
        css = {"all": ["duban/admin.css"]}

    @admin.display(description=_("source text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 60 else obj.text[:60] + "…"
