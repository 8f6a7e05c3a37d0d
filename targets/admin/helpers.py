"""Building blocks of Duban's admin: the unit rule, forms that never crash on model errors, inlines, filters.

Who may write what (the rule itself lives in targets.permissions; this module enforces it in every
admin hook, not only by hiding buttons):

- Bureau staff (superusers, settings.DUBAN_BUREAU_STAFF_GROUP) add, change and delete everything.
- A unit's user sees everything. It adds and changes progress reports, milestones and blockers only
  on items its unit leads (config.roles.UNIT_WRITABLE); it may open those items' pages to save the
  inlines, but the item's own fields stay read-only. It deletes nothing: staff correct mistakes.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.roles import UNIT_WRITABLE

from .. import findings, formatting, review, validation
from ..formatting import EMPTY
from ..headlines import completion_percent, current_plan
from ..models import ProgressReport
from ..permissions import can_edit_item, is_bureau_staff, user_department_id
from .paging import LargeTablePaginator, ProbedDatesChangeList

# Tabular inlines hold many columns: keep each cell narrow so a row fits the page.
INLINE_WIDGETS = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
    models.CharField: {"widget": forms.TextInput(attrs={"size": 18})},
}


def is_staff(request) -> bool:
    return is_bureau_staff(request.user)


def may_work_on(request, finding) -> bool:
    """Measures, evidence, progress notes, extension and close-out requests: staff, or the finding's own unit."""
    return findings.may_work_on(finding, request.user)


def short(text: str, length: int = 40) -> str:
    return Truncator(text or "").chars(length) or EMPTY


def iso(day) -> str:
    return day.isoformat() if day else EMPTY


def model_key(model) -> tuple[str, str]:
    return model._meta.app_label, model._meta.model_name


# --- Forms ----------------------------------------------------------------------------------------


class DubanModelForm(forms.ModelForm):
    """A model form on which model.clean() errors always land on the page.

    Django raises ValueError (a 500) when clean() reports an error for a field the form does not
    show (read-only or left out of the fieldsets); such errors become form-wide errors instead.
    """

    def clean(self):
        data = super().clean()
        # Text lengths and date bounds, shared with the API and the imports (targets.validation).
        for field, error in validation.field_bounds(self._meta.model, data).items():
            self.add_error(field if field in self.fields else None, error)
        return data

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            kept: dict[str, list] = {}
            for field, messages in errors.error_dict.items():
                if field == NON_FIELD_ERRORS or field in self.fields:
                    kept.setdefault(field, []).extend(messages)
                    continue
                label = self._model_field_label(field)
                for error in messages:
                    for message in error.messages:
                        kept.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(f"{label}: {message}", code=error.code))
            errors = ValidationError(kept)
        super()._update_errors(errors)

    def _model_field_label(self, name: str) -> str:
        try:
            return capfirst(self._meta.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name


class ReadOnlyItemForm(DubanModelForm):
    """A unit user's form for an item page: nothing to edit, so nothing to validate or save.

    The unit opens its own item's page to save the inlines; the item itself is never saved for it.
    """

    def _post_clean(self):
        pass


# --- Model admins ----------------------------------------------------------------------------------


class StaffWriteMixin:
    """Writes need the model permission *and* the Duban rule; everyone with access sees everything."""

    def may_write(self, request, obj=None) -> bool:  # noqa: ARG002 - subclasses judge the object
        return is_staff(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.may_write(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Units never delete; staff correct mistakes (and the history keeps what was deleted).
        return super().has_delete_permission(request, obj) and is_staff(request)


class DubanAdmin(StaffWriteMixin, SimpleHistoryAdmin):
    """Base of every Duban admin: audit history on each object, writes by the unit rule."""

    form = DubanModelForm
    list_per_page = 100
    # Large tables: estimated counts above DUBAN_ADMIN_EXACT_COUNT, deep pages by key (targets.admin.paging).
    paginator = LargeTablePaginator

    def get_changelist(self, _request, **_kwargs):
        # The date hierarchy probes its years, months and days by index (targets.admin.paging).
        return ProbedDatesChangeList

    show_full_result_count = False
    formfield_overrides = {models.TextField: {"widget": widgets.AdminTextareaWidget(attrs={"rows": 3})}}

    class Media:
        css = {"all": ["duban/admin.css"]}

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history accepts a revert POST from anyone who may *view* the object (it only
        # hides the button), so check the write rule against the current object here.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or self.revert_disabled(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class UnitScopedAdmin(DubanAdmin):
    """Rows that hang off an item (reports, milestones, blockers): a unit writes only its own items' rows."""

    item_field = "item"

    def item_of(self, obj):
        return getattr(obj, self.item_field)

    def may_write(self, request, obj=None) -> bool:
        if is_staff(request):
            return True
        if user_department_id(request.user) is None:
            return False
        return obj is None or can_edit_item(request.user, self.item_of(obj))

    def get_autocomplete_fields(self, request):
        # A register of 100,000 items cannot be a <select> on every change page: it is searched.
        # The form field keeps the unit's queryset below, so a forged choice still fails validation.
        return (*super().get_autocomplete_fields(request), self.item_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.item_field:
            items = db_field.related_model._default_manager.order_by("-plan__year", "code")
            if not is_staff(request):
                items = items.for_department(user_department_id(request.user))
            kwargs["queryset"] = items
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form already limits the item choices; check again in case of a forged POST.
        if not can_edit_item(request.user, self.item_of(obj)):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


def save_item_formset(request, formset) -> None:
    """Save one inline of an item page, re-checking the unit rule on the server."""
    user = request.user
    if not is_bureau_staff(user):
        touched = any(form.has_changed() for form in formset.forms)
        if formset.deleted_forms or (
            touched and (model_key(formset.model) not in UNIT_WRITABLE or not can_edit_item(user, formset.instance))
        ):
            raise PermissionDenied
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    for obj in instances:
        if isinstance(obj, ProgressReport):
            # The reporter is whoever set the current value; the history keeps earlier ones.
            obj.reporter = user
            review.entered(obj, user, formset.instance.plan)
        obj.save()
    formset.save_m2m()


class TrackedItemAdmin(DubanAdmin):
    """Goal and project pages. A unit's user saves the inlines of its own items but none of the item's fields."""

    # Item fields shown to units through a formatted display method instead (e.g. amounts in 万元).
    readonly_substitutes: dict[str, str] = {}
    readonly_fields = ("created_at", "updated_at")
    # Newest plan first, then code, on the item table's own columns: the index targets_item_list_order
    # serves it (ordering by the plan's year would sort the whole register for every page).
    ordering = ("-plan_id", "code")

    def get_queryset(self, request):
        # latest_value / latest_report_date: one correlated subquery each, not a query per row.
        return super().get_queryset(request).with_latest_report()

    def may_write(self, request, obj=None) -> bool:
        if is_staff(request):
            return True
        # Change (never add) rights on its own unit's items, so the inlines can be saved.
        return obj is not None and can_edit_item(request.user, obj)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not is_staff(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_staff(request) or not self.readonly_substitutes:
            return fieldsets

        def swap(name):
            if isinstance(name, list | tuple):
                return tuple(swap(n) for n in name)
            return self.readonly_substitutes.get(name, name)

        return [(title, {**opts, "fields": [swap(f) for f in opts["fields"]]}) for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        if is_staff(request):
            return super().get_readonly_fields(request, obj)
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not is_staff(request):
            kwargs["form"] = ReadOnlyItemForm
        return super().get_form(request, obj, change, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        plan = current_plan()
        if plan is not None:
            initial.setdefault("plan", plan.pk)
            initial.setdefault("period_start", plan.period_start)
            initial.setdefault("period_end", plan.period_end)
        return initial

    def save_model(self, request, obj, form, change):
        if not is_staff(request):
            if not change or not can_edit_item(request.user, obj):
                raise PermissionDenied
            return  # the item's own fields are read-only for units: nothing of it to save
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):  # noqa: ARG002 - ModelAdmin hook signature
        save_item_formset(request, formset)

    @admin.display(description=_("latest report"), ordering="latest_report_date")
    def latest_report_date_display(self, obj):
        # ISO dates keep the column narrow ("2023-09-30" rather than "2023年9月30日").
        return obj.latest_report_date.isoformat() if obj.latest_report_date else None

    @staticmethod
    def percent_of(obj, actual) -> str:
        return formatting.percent(completion_percent(obj, actual))
