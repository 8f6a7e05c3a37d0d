"""The rows under a goal's or project's page: progress reports, milestones and checkpoints, with the
forms and formsets that hold their rules (one report per month, closed months, the unit rule)."""

from __future__ import annotations

import datetime as dt
import itertools

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from config.roles import UNIT_WRITABLE

from .. import periods, validation
from ..models import Checkpoint, Milestone, ProgressReport, month_start
from ..permissions import can_edit_item
from .helpers import INLINE_WIDGETS, DubanModelForm, is_staff, model_key


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
