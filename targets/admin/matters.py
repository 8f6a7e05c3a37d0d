"""Assigned matters (交办事项) in the admin: staff enter them one by one or import an .xlsx.

Saving a new matter calls targets.findings.assign, which opens its finding; after that the matter's
unit, item and deadline are fixed (the finding carries them through the loop). A unit's user sees
only the matters its unit leads or cooperates on, and answers them on their finding's page.
"""

# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import findings
from ..documents.downloads import xlsx_response
from ..findings import matter_import
from ..formatting import EMPTY
from ..headlines import current_plan
from ..models import AssignedMatter, Plan
from ..permissions import user_department_id
from .helpers import DubanAdmin, DubanModelForm, is_staff
from .paging import RelatedOnlyExistsFilter

FIXED_AFTER_ADD = ("source", "item", "department", "cooperating_departments", "assigned_on", "deadline", "round")


class MatterForm(DubanModelForm):
    """The source's own fields are required by AssignedMatter.clean (targets.models.loop.matter_errors)."""

    class Meta:
        model = AssignedMatter
        fields = "__all__"


class ImportForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.all())
    file = forms.FileField(label=_("Excel file (.xlsx)"))


@admin.register(AssignedMatter)
class AssignedMatterAdmin(DubanAdmin):
    form = MatterForm
    change_list_template = "admin/targets/assignedmatter/change_list.html"
    list_display = ("title", "source", "department", "item", "assigned_on", "deadline", "finding_link", "finding_state")
    list_filter = ("source", ("department", RelatedOnlyExistsFilter), "item__plan")
    list_select_related = ("department", "item", "finding")
    search_fields = ("title", "requirement", "document_number", "leader", "meeting", "item__code", "item__title")
    autocomplete_fields = ("item", "department", "cooperating_departments", "round")
    date_hierarchy = "assigned_on"
    fieldsets = (
        (None, {"fields": ("source", "title", "requirement", "item")}),
        (_("Leader's instruction"), {"fields": ("document_number", "leader", "instructed_on", "original_text")}),
        (_("Scheduling meeting"), {"fields": ("meeting", "meeting_on", "meeting_item")}),
        (_("Site inspection"), {"fields": ("round",)}),
        (_("Assignment"), {"fields": ("department", "cooperating_departments", "assigned_on", "deadline")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_staff(request):
            return queryset
        department_id = user_department_id(request.user)
        if department_id is None:
            return queryset.none()
        return queryset.filter(Q(department_id=department_id) | Q(cooperating_departments=department_id)).distinct()

    def get_readonly_fields(self, request, obj=None):
        return FIXED_AFTER_ADD if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # its finding stays in the register; dismiss the finding instead

    @admin.display(description=_("finding"))
    def finding_link(self, obj):
        if obj.finding_id is None:
            return EMPTY
        return format_html('<a href="{}">#{}</a>', reverse("admin:targets_finding_change", args=[obj.finding_id]), obj.finding_id)

    @admin.display(description=_("state"))
    def finding_state(self, obj):
        return obj.finding.get_state_display() if obj.finding_id else EMPTY

    def save_model(self, request, obj, form, change):
        if not is_staff(request):
            raise PermissionDenied
        if change:
            obj._history_user = request.user
            obj.save()
            return
        findings.assign(obj, request.user, cooperating=form.cleaned_data.get("cooperating_departments") or [])

    def save_related(self, request, form, formsets, change):
        if change:
            # The units are fixed after the matter was assigned; only the formsets are saved.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)
        form.instance.finding.cooperating_departments.set(form.instance.cooperating_departments.all())

    # --- Excel import

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="targets_assignedmatter_import"),
            path("import/template.xlsx", view(self.template_view), name="targets_assignedmatter_template"),
            *super().get_urls(),
        ]

    def template_view(self, request):
        if not is_staff(request):
            raise PermissionDenied
        return xlsx_response(matter_import.template_xlsx(), "交办事项导入模板.xlsx")

    def import_view(self, request):
        if not is_staff(request):
            raise PermissionDenied
        plan = current_plan(timezone.localdate())
        form = ImportForm(request.POST or None, request.FILES or None, initial={"plan": plan.pk if plan else None})
        outcome, file_error = None, None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = matter_import.import_matters(form.cleaned_data["plan"], upload.read(), request.user)
            except matter_import.MatterFileError as exc:
                file_error = str(exc)
            except ValidationError as exc:
                file_error = " ".join(exc.messages)
            else:
                if not outcome.errors:
                    text = ngettext("%(count)d matter assigned", "%(count)d matters assigned", outcome.created) % {
                        "count": outcome.created
                    }
                    if outcome.skipped:
                        text += gettext("; %(count)d already in the register were skipped") % {"count": outcome.skipped}
                    self.message_user(request, text + gettext("."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:targets_assignedmatter_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import assigned matters"),
            "opts": self.model._meta,
            "form": form,
            "outcome": outcome,
            "file_error": file_error,
            "columns": list(matter_import.COLUMNS.items()),
        }
        return TemplateResponse(request, "admin/targets/assignedmatter/import.html", context)
