"""Building blocks of Duban's admin: the unit rule, forms that never crash on model errors, inlines, filters.

Who may write what (the rule itself lives in targets.permissions; this module enforces it in every
admin hook, not only by hiding buttons):

- Bureau staff (superusers, settings.DUBAN_BUREAU_STAFF_GROUP) add, change and delete everything.
- A unit's user sees everything. It adds and changes progress reports, milestones and blockers only
  on items its unit leads (config.roles.UNIT_WRITABLE); it may open those items' pages to save the
  inlines, but the item's own fields stay read-only. It deletes nothing: staff correct mistakes.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.roles import UNIT_WRITABLE

from .. import formatting, periods, review, validation
from ..headlines import completion_percent, current_plan
from ..models import Checkpoint, Milestone, ProgressReport, month_start
from ..permissions import can_edit_item, is_bureau_staff, user_department_id
from .paging import LargeTablePaginator, ProbedDatesChangeList

# Tabular inlines hold many columns: keep each cell narrow so a row fits the page.
INLINE_WIDGETS = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
    models.CharField: {"widget": forms.TextInput(attrs={"size": 18})},
}


def is_staff(request) -> bool:
    return is_bureau_staff(request.user)


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


class ProgressReportForm(DubanModelForm):
    """The reporting month may be left blank: the model then takes the month of the report date."""

    # A row of the item page's inline is checked against closed months only when it is saved
    # (changed or new); the report's own page checks every save.
    inline = False

    class Meta:
        model = ProgressReport
        fields = ("item", "as_of", "period", "value", "narrative", "problems", "correction_reason")

    def clean_period(self):
        period = self.cleaned_data.get("period")
        # The date picker offers any day; a reporting month is kept as its first day.
        return month_start(period) if period else period

    def clean(self):
        cleaned = super().clean()
        if self.inline and self.instance.pk and not self.has_changed():
            return cleaned
        item = cleaned.get("item") or getattr(self.instance, "item", None)
        plan_id = getattr(item, "plan_id", None)
        as_of = cleaned.get("as_of")
        if plan_id is not None:
            # 月度锁定: nothing is filed into, or moved out of, a closed month (the instance still
            # holds the saved values here; the form copies the new ones after clean()).
            before = (self.instance.as_of, self.instance.period) if self.instance.pk else ()
            period = cleaned.get("period") or (month_start(as_of) if as_of else None)
            periods.check_report_open(plan_id, as_of, period, *before)
        return cleaned


class ProgressReportInlineForm(ProgressReportForm):
    inline = True


class ProgressReportFormSet(BaseInlineFormSet):
    """Applies the report rules across the rows of one submit.

    The model's clean() compares a row with the reports already saved. Rows added or edited
    together (say February and March in one save), or rows of an item not saved yet, are checked
    here against each other with the same rule (targets.validation.progress_report).
    """

    def clean(self):
        super().clean()
        item = self.instance
        # 月度锁定: a report dated in a closed month is not deleted either.
        for form in self.forms:
            if form.instance.pk and self._is_deleted(form):
                periods.check_report_open(item.plan_id, form.instance.as_of, form.instance.period, field=None)
        rows = [f for f in self.forms if self._is_live(f)]
        submitted = {f.instance.pk for f in rows if f.instance.pk}
        deleted = {f.instance.pk for f in self.forms if f.instance.pk and self._is_deleted(f)}
        # (as_of, value, correction reason, form or None for a saved report not in this submit)
        series: list[tuple[dt.date, object, str, forms.Form | None]] = []
        if item.pk:
            saved = ProgressReport.objects.filter(item_id=item.pk).values_list("pk", "as_of", "value", "correction_reason")
            series += [(as_of, value, reason, None) for pk, as_of, value, reason in saved if pk not in submitted | deleted]
        for form in rows:
            if form.errors or not form.cleaned_data.get("as_of"):
                continue
            series.append((form.cleaned_data["as_of"], form.cleaned_data.get("value"), "", form))
        series.sort(key=lambda row: row[0])

        today = timezone.localdate()
        previous_value, previous_changed = None, False
        for index, (as_of, value, _reason, form) in enumerate(series):
            changed = form is not None and (form.has_changed() or not form.instance.pk)
            if form is not None and (changed or previous_changed):
                errors = validation.progress_report(
                    is_yes_no=getattr(item, "is_yes_no", False),
                    value=value,
                    as_of=as_of,
                    today=today,
                    period_start=item.period_start,
                    period_end=item.period_end,
                    previous_value=previous_value,
                    correction_reason=form.cleaned_data.get("correction_reason", ""),
                    **self._next_saved(series[index + 1 :]),
                )
                for field, error in errors.items():
                    if field in form.fields and field not in form.errors:
                        form.add_error(field, error)
            if value is not None:
                previous_value, previous_changed = value, changed

    @staticmethod
    def _next_saved(later) -> dict:
        """The next report with a value, when it is a saved one outside this submit without a
        correction reason (a row in the submit is checked against this one on its own turn)."""
        for as_of, value, reason, form in later:
            if value is None:
                continue
            if form is None and not (reason or "").strip():
                return {"next_value": value, "next_as_of": as_of}
            return {}
        return {}

    def _is_deleted(self, form) -> bool:
        return self.can_delete and hasattr(form, "cleaned_data") and self._should_delete_form(form)

    def _is_live(self, form) -> bool:
        """A row that will exist after the save (not deleted, not an empty extra row)."""
        if self._is_deleted(form) or not hasattr(form, "cleaned_data"):
            return False
        return bool(form.instance.pk) or form.has_changed()


class CheckpointFormSet(BaseInlineFormSet):
    """A cumulative plan (checkpoints, a project's monthly plan) never goes down over time."""

    def clean(self):
        super().clean()
        forms_ = [f for f in self.forms if hasattr(f, "cleaned_data") and not self._is_deleted(f)]
        if not any(f.has_changed() for f in forms_) and not any(self._is_deleted(f) for f in self.forms):
            return  # nothing submitted (e.g. a read-only inline): saved rows are not re-judged
        points = sorted(
            (f.cleaned_data["date"], f.cleaned_data["expected_value"], f)
            for f in forms_
            if not f.errors and f.cleaned_data.get("date") and f.cleaned_data.get("expected_value") is not None
        )
        for (d1, v1, _f1), (d2, v2, form) in itertools.pairwise(points):
            for field, error in validation.checkpoint_series([(d1, v1), (d2, v2)]).items():
                if field not in form.errors:
                    form.add_error(field, error)

    def _is_deleted(self, form) -> bool:
        return self.can_delete and hasattr(form, "cleaned_data") and self._should_delete_form(form)


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
    # Large tables: estimated counts above DUBAN_ADMIN_EXACT_COUNT, deep pages by key (targets.admin_paging).
    paginator = LargeTablePaginator

    def get_changelist(self, _request, **_kwargs):
        # The date hierarchy probes its years, months and days by index (targets.admin_paging).
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


# --- Inlines ---------------------------------------------------------------------------------------


class ItemInlineMixin:
    """Rows of an item page. Staff write them all; a unit writes UNIT_WRITABLE rows of its own items."""

    form = DubanModelForm
    extra = 0
    formfield_overrides = INLINE_WIDGETS
    # Column titles that differ from the model's (e.g. amounts in 万元 on a project page). Passed as
    # form Meta labels, which Django also uses for the read-only columns units see.
    field_labels: dict = {}

    def get_formset(self, request, obj=None, **kwargs):
        if self.field_labels:
            kwargs.setdefault("labels", self.field_labels)
        return super().get_formset(request, obj, **kwargs)

    def _may_write(self, request, obj) -> bool:
        if is_staff(request):
            return True
        return model_key(self.model) in UNIT_WRITABLE and obj is not None and can_edit_item(request.user, obj)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._may_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_staff(request)


class ProgressReportInline(ItemInlineMixin, admin.TabularInline):
    model = ProgressReport
    form = ProgressReportInlineForm
    formset = ProgressReportFormSet
    fields = (
        "as_of",
        "period",
        "value",
        "narrative",
        "problems",
        "correction_reason",
        "review_state",
        "review_comment",
        "reporter",
    )
    # 审核: a pending figure shows here marked as such; a returned one with the reason to correct it.
    readonly_fields = ("review_state", "review_comment", "reporter")
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter")


class MilestoneInline(ItemInlineMixin, admin.TabularInline):
    model = Milestone
    fields = ("kind", "title", "planned_date", "actual_date", "evidence_note", "fulfils")
    autocomplete_fields = ("fulfils",)

    def get_readonly_fields(self, request, obj=None):
        # The link moves another item's milestone (it takes its date from this one): staff only.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if is_staff(request) else (*readonly, "fulfils")


class CheckpointInline(ItemInlineMixin, admin.TabularInline):
    model = Checkpoint
    formset = CheckpointFormSet
    fields = ("date", "expected_value")


# --- List filters ----------------------------------------------------------------------------------


def my_unit_filter(path: str):
    """A filter "only my unit's items", shown to users linked to a unit. path leads to lead_department_id."""

    class MyUnitFilter(admin.SimpleListFilter):
        title = _("my unit")
        parameter_name = "mine"

        def lookups(self, request, _model_admin):
            if user_department_id(request.user) is None:
                return []
            return [("1", _("Only my unit's items"))]

        def queryset(self, request, queryset):
            if self.value() == "1":
                return queryset.filter(**{path: user_department_id(request.user)})
            return queryset

    return MyUnitFilter


class ReportingFilter(admin.SimpleListFilter):
    """Who still owes this month's report (uses the latest_report_date annotation)."""

    title = _("progress report")
    parameter_name = "reported"

    def lookups(self, _request, _model_admin):
        return [
            ("this_month", _("Reported this month")),
            ("missing", _("No report this month")),
            ("never", _("Never reported")),
        ]

    def queryset(self, _request, queryset):
        start = timezone.localdate().replace(day=1)
        if self.value() == "this_month":
            return queryset.filter(latest_report_date__gte=start)
        if self.value() == "missing":
            return queryset.filter(Q(latest_report_date__lt=start) | Q(latest_report_date__isnull=True))
        if self.value() == "never":
            return queryset.filter(latest_report_date__isnull=True)
        return queryset


class OverdueMilestoneFilter(admin.SimpleListFilter):
    title = _("milestones")
    parameter_name = "milestones"

    def lookups(self, _request, _model_admin):
        return [("overdue", _("Has an overdue milestone")), ("on_time", _("No overdue milestone"))]

    def queryset(self, _request, queryset):
        overdue = Exists(
            Milestone.objects.filter(item=OuterRef("pk"), planned_date__lt=timezone.localdate(), actual_date__isnull=True)
        )
        if self.value() == "overdue":
            return queryset.filter(overdue)
        if self.value() == "on_time":
            return queryset.exclude(overdue)
        return queryset


class ModalityFilter(admin.SimpleListFilter):
    """The plan's commitment words (确保, 力争 …) as written: free text, so offer the values in use."""

    title = _("commitment word")
    parameter_name = "modality"

    def lookups(self, _request, model_admin):
        values = (
            model_admin.model._default_manager.exclude(modality="")
            .order_by("modality")
            .values_list("modality", flat=True)
            .distinct()
        )
        return [(value, value) for value in values]

    def queryset(self, _request, queryset):
        if self.value():
            return queryset.filter(modality=self.value())
        return queryset
