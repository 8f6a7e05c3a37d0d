"""Evidence files (佐证材料) on admin pages: one inline per owner (finding, progress report, milestone).

A new row takes one upload; it is checked and stored by targets.evidence.attach (type by content,
size cap, the unit rule), never saved straight from the form. Saved rows are read-only and link to
the download view; images show their thumbnail.
"""

# ruff: noqa: ARG002

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import evidence
from ..formatting import EMPTY
from ..models import Evidence


class UploadField(forms.FileField):
    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            upload.seek(0)
            evidence.check_upload(upload.name, upload.read(evidence.max_bytes() + 1))
            upload.seek(0)
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleUploadField(UploadField):
    """Several files in one input (Django's documented pattern), each checked like a single upload."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            cleaned, errors = [], []
            for upload in data:
                try:
                    cleaned.append(super().clean(upload, initial))
                except ValidationError as exc:
                    errors.append(ValidationError(f"{upload.name}: {' '.join(exc.messages)}", code=exc.code))
            if errors:
                raise ValidationError(errors)
            return cleaned
        upload = super().clean(data, initial)
        return [upload] if upload else []


class EvidenceForm(forms.ModelForm):
    upload = UploadField(label=_("upload"), required=True)

    class Meta:
        model = Evidence
        fields = ()


class EvidenceFormSet(BaseInlineFormSet):
    duban_user = None

    def save_new(self, form, commit=True):
        return evidence.attach(self.instance, form.cleaned_data["upload"], self.duban_user)

    def save_existing(self, form, obj, commit=True):
        return obj  # saved files are never changed


class EvidenceInline(admin.TabularInline):
    model = Evidence
    form = EvidenceForm
    formset = EvidenceFormSet
    extra = 0
    can_delete = False
    fields = ("upload", "download", "preview", "size_display", "uploaded_by", "uploaded_at")
    readonly_fields = ("download", "preview", "size_display", "uploaded_by", "uploaded_at")
    verbose_name = _("evidence file")
    verbose_name_plural = _("evidence files")

    def get_fields(self, request, obj=None):
        if not self.has_add_permission(request, obj):
            return self.readonly_fields
        return self.fields

    def has_add_permission(self, request, obj=None):
        return obj is not None and evidence.may_attach(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"duban_user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("upload"))
    def upload(self, obj):
        return EMPTY  # saved rows show the file under "download"; the upload is only on a new row

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj is None or obj.pk is None:
            return EMPTY
        return format_html('<a href="{}">{}</a>', reverse("evidence:download", args=[obj.pk]), obj.name)

    @admin.display(description=_("thumbnail"))
    def preview(self, obj):
        if obj is None or obj.pk is None or not obj.thumbnail:
            return EMPTY
        url = reverse("evidence:thumbnail", args=[obj.pk])
        return format_html(
            '<a href="{}"><img class="duban-thumb" src="{}" alt="{}"></a>',
            reverse("evidence:download", args=[obj.pk]),
            url,
            obj.name,
        )

    @admin.display(description=_("size"))
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj is not None and obj.size is not None else EMPTY


class FindingEvidenceInline(EvidenceInline):
    fk_name = "finding"


class ReportEvidenceInline(EvidenceInline):
    fk_name = "report"


class MilestoneEvidenceInline(EvidenceInline):
    fk_name = "milestone"


class EvidenceOnSavedMixin:
    """For the owners' admins: files are attached to a saved record, so add pages have no file inline."""

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        return inlines if obj is not None else [i for i in inlines if not issubclass(i, EvidenceInline)]
