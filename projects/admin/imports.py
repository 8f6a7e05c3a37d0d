"""Excel imports in the admin: buttons on the project list, upload → preview → confirm, and the
list of past imports (projects.imports does the work; these views only check who may do what).

- The project register (项目台账) is imported by bureau staff only: units do not create projects.
- Monthly progress is imported by staff (any item) and by a unit's user (its unit's items only;
  the analysis turns other rows into errors).
- A unit's user sees only its unit's imports.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from targets.admin.helpers import is_staff
from targets.documents.spreadsheets import XLSX_CONTENT_TYPE
from targets.headlines import current_plan
from targets.models import Plan
from targets.permissions import user_department_id

from ..imports import error_report, jobs, template
from ..models import ImportBatch
from ..tasks import analyse_import_task, apply_import_task

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The preview page of a 5,000-row file: new/changed rows a page, errors shown (the rest: the error workbook).
ROWS_PER_PAGE = 200
ERRORS_SHOWN = 500
Kind = ImportBatch.Kind


# The model permissions the admin's own add and change pages require for what an import writes.


def may_import(request, kind: str) -> bool:
    return jobs.may_import(request.user, kind)


def may_see_batch(request, batch: ImportBatch) -> bool:
    if is_staff(request):
        return True
    if batch.kind == Kind.LEDGER:
        return False
    department_id = user_department_id(request.user)
    return batch.user_id == request.user.pk or (department_id is not None and batch.department_id == department_id)


class UploadForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), empty_label=None)
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                gettext("Only .xlsx workbooks can be imported; save the file in Excel or WPS as “Excel 工作簿 (*.xlsx)”.")
            )
        if upload.size == 0:
            raise forms.ValidationError(gettext("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 20 MB."))
        return upload


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    """A workbook download; the Chinese file name goes in filename* (RFC 5987)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def import_title(kind: str) -> str:
    return gettext("Import project ledger") if kind == Kind.LEDGER else gettext("Import monthly progress")


class ProjectImportMixin:
    """ProjectAdmin's import pages (urls under the project list) and the changelist's buttons."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/ledger/", view(self.import_view), {"kind": Kind.LEDGER}, name="projects_project_import_ledger"),
            path("import/progress/", view(self.import_view), {"kind": Kind.PROGRESS}, name="projects_project_import_progress"),
            path(
                "import/template/ledger.xlsx",
                view(self.template_view),
                {"kind": Kind.LEDGER},
                name="projects_project_template_ledger",
            ),
            path(
                "import/template/progress.xlsx",
                view(self.template_view),
                {"kind": Kind.PROGRESS},
                name="projects_project_template_progress",
            ),
            path("import/<int:pk>/", view(self.batch_view), name="projects_project_import_batch"),
            path("import/<int:pk>/status/", view(self.batch_status_view), name="projects_project_import_status"),
            path("import/<int:pk>/errors.xlsx", view(self.batch_errors_view), name="projects_project_import_errors"),
            path("import/<int:pk>/apply/", view(require_POST(self.batch_apply_view)), name="projects_project_import_apply"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "duban_import_ledger": may_import(request, Kind.LEDGER),
            "duban_import_progress": may_import(request, Kind.PROGRESS),
        }
        return super().changelist_view(request, extra_context)

    def import_context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta}

    def import_view(self, request, kind: str):
        if not may_import(request, kind):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, initial={"plan": current_plan()})
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            batch = jobs.create_batch(kind, form.cleaned_data["plan"], upload.name, upload.read(), request.user)
            jobs.dispatch(analyse_import_task, batch.pk)
            return HttpResponseRedirect(reverse("admin:projects_project_import_batch", args=[batch.pk]))
        context = {
            **self.import_context(request, import_title(kind)),
            "form": form,
            "kind": kind,
            "template_url": reverse(f"admin:projects_project_template_{kind}"),
        }
        return TemplateResponse(request, "admin/projects/project/import_form.html", context)

    def template_view(self, request, kind: str):
        if not may_import(request, kind):
            raise PermissionDenied
        plan = Plan.objects.filter(pk=request.GET.get("plan")).first() if request.GET.get("plan", "").isdigit() else None
        plan = plan or current_plan()
        if kind == Kind.LEDGER:
            content, name = template.register_template(plan), "项目台账导入模板.xlsx"
        else:
            department_id = None if is_staff(request) else user_department_id(request.user)
            content, name = template.progress_template(plan, department_id), "月度进度导入模板.xlsx"
        return xlsx_response(content, name)

    def get_batch(self, request, pk: int, *, with_data: bool = False) -> ImportBatch:
        # The uploaded file (up to 20 MB) is read only by the views that need it.
        batches = ImportBatch.objects.select_related("plan", "user", "applied_by")
        batch = get_object_or_404(batches if with_data else batches.defer("data"), pk=pk)
        if not may_see_batch(request, batch):
            raise PermissionDenied
        return batch

    def batch_view(self, request, pk: int):
        batch = jobs.fail_if_stuck(self.get_batch(request, pk), timezone.now())
        rows = batch.preview.get("rows", []) if batch.preview else []
        errors = batch.errors or []
        # Everything comes from the stored preview JSON: no query per row.
        page = Paginator([r for r in rows if r["status"] in {"new", "changed"}], ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.import_context(request, f"{import_title(batch.kind)}：{batch.file_name}"),
            "batch": batch,
            "status": jobs.status_payload(batch),
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
            "changed_rows": page.object_list,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number) if page.paginator.num_pages > 1 else [],
            "unchanged_rows": [r for r in rows if r["status"] == "unchanged"],
            "may_apply": batch.can_apply and may_import(request, batch.kind) and jobs.may_apply(request.user, batch),
            "working": batch.status in jobs.WORKING,
        }
        return TemplateResponse(request, "admin/projects/project/import_batch.html", context)

    def batch_status_view(self, request, pk: int):
        return JsonResponse(jobs.status_payload(jobs.fail_if_stuck(self.get_batch(request, pk), timezone.now())))

    def batch_errors_view(self, request, pk: int):
        """Every error of a batch, and the uploaded sheet with each row's errors (导入错误明细)."""
        batch = self.get_batch(request, pk, with_data=True)
        if not batch.errors:
            raise Http404
        return xlsx_response(error_report.batch_error_workbook(batch), error_report.report_name(batch.file_name))

    def batch_apply_view(self, request, pk: int):
        batch = self.get_batch(request, pk)
        if not may_import(request, batch.kind) or not jobs.may_apply(request.user, batch):
            raise PermissionDenied
        if jobs.claim_for_apply(batch, request.user):
            jobs.dispatch(apply_import_task, batch.pk)
        else:
            messages.warning(request, gettext("This import cannot be applied (again): see its status below."))
        return HttpResponseRedirect(reverse("admin:projects_project_import_batch", args=[batch.pk]))


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Past imports, read-only; each opens its preview page. Units see their own unit's imports."""

    list_display = (
        "created_at",
        "kind",
        "file_name",
        "plan",
        "user",
        "applied_by",
        "status",
        "total_rows",
        "new_rows",
        "changed_rows",
        "unchanged_rows",
        "error_count",
    )
    list_filter = ("kind", "status", "plan")
    list_select_related = ("plan", "user", "applied_by")
    search_fields = ("file_name", "user__username")
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ["duban/admin.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_staff(request):
            return queryset
        department_id = user_department_id(request.user)
        mine = Q(user_id=request.user.pk)
        if department_id is not None:
            mine |= Q(department_id=department_id)
        return queryset.filter(mine, kind=Kind.PROGRESS)

    def has_add_permission(self, request):  # noqa: ARG002 - ModelAdmin hook signature
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 - read-only: the preview page shows a batch
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_staff(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):  # noqa: ARG002 - ModelAdmin hook
        # A batch is looked at on its preview page (which checks who may see it).
        if not str(object_id).isdigit():
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:projects_project_import_batch", args=[int(object_id)]))
