"""The major-project register (重大项目库).

A Project is a targets.TrackedItem (multi-table child): its annual planned investment is the
item's target value and its monthly plan is the item's checkpoints, so the supervision engine
evaluates projects like any other item without knowing this app.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from targets import validation
from targets.choices import ItemKind
from targets.models import VALUE, TrackedItem

from .choices import DISTRICT_KEY_MIN, MAJOR_PROJECT_MIN, BatchLevel, BlockerCategory, Category, Stage


class Project(TrackedItem):
    """A major project (重大项目) of the plan's register, amounts in 万元."""

    owner_company = models.CharField(_("owner company"), max_length=200, blank=True)
    township = models.CharField(_("township or street"), max_length=50, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    is_provincial_key = models.BooleanField(_("provincial key project"), default=False)
    is_provincial_major_industrial = models.BooleanField(_("provincial major industrial project"), default=False)
    is_city_key = models.BooleanField(_("city key project"), default=False)
    is_district_key = models.BooleanField(_("district key project (> 100M yuan)"), default=False)
    is_major = models.BooleanField(_("major project (≥ 50M yuan)"), default=False)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARATORY)
    batch_level = models.CharField(_("concentrated-start batch"), max_length=10, choices=BatchLevel.choices, blank=True)
    batch_date = models.DateField(_("concentrated-start date"), null=True, blank=True)
    total_investment = models.DecimalField(_("total investment (10k yuan)"), null=True, blank=True, **VALUE)
    # 续建: what the project completed in earlier plan years (年初前累计完成投资), carried by the year
    # roll-over; this year's reports count from 0 again, so 开工以来累计 = this + the year's figure.
    completed_before = models.DecimalField(
        _("completed before this year (10k yuan)"), null=True, blank=True, validators=[MinValueValidator(0)], **VALUE
    )
    land_area = models.DecimalField(_("land area (mu)"), null=True, blank=True, **VALUE)
    plan_statement = models.TextField(_("what the plan says"), blank=True)
    goals = models.ManyToManyField(
        "targets.Target",
        verbose_name=_("related goals"),
        blank=True,
        related_name="projects",
        help_text=_("Goals of the plan this project serves."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Many-to-many links (goals, cooperating units) are audited by the admin's change log only:
    # simple-history's m2m tracking breaks on multi-table children.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("major project")
        verbose_name_plural = _("major projects")
        ordering = ["plan", "code"]
        indexes = [
            # Roll-ups and list filters.
            models.Index(fields=["category", "is_district_key"], name="projects_cat_key"),
        ]

    def save(self, *args, **kwargs) -> None:
        self.kind = ItemKind.PROJECT
        super().save(*args, **kwargs)

    @property
    def annual_plan_investment(self) -> Decimal | None:
        """Annual planned investment (年度计划投资, 万元): the item's target value."""
        return self.target_value

    @annual_plan_investment.setter
    def annual_plan_investment(self, value: Decimal | None) -> None:
        self.target_value = value

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        errors.update(validation.non_negative(total_investment=self.total_investment, land_area=self.land_area))
        # The ledger import calls clean() only: text lengths and date bounds as in the admin and the API.
        values = {f.name: getattr(self, f.attname) for f in self._meta.concrete_fields}
        for field, error in validation.field_bounds(type(self), values).items():
            errors.setdefault(field, error)
        total = self.total_investment
        if total is not None and self.target_value is not None and self.target_value > total and "target_value" not in errors:
            errors["target_value"] = ValidationError(
                _("The annual planned investment cannot exceed the total investment."), code="annual_over_total"
            )
        if total is not None and "total_investment" not in errors:
            if self.is_major and total < MAJOR_PROJECT_MIN:
                errors["is_major"] = ValidationError(
                    _("A major project needs a total investment of at least 50M yuan (5,000 万元)."), code="below_major_threshold"
                )
            if self.is_district_key and total <= DISTRICT_KEY_MIN:
                errors["is_district_key"] = ValidationError(
                    _("A district key project needs a total investment over 100M yuan (10,000 万元)."), code="below_key_threshold"
                )
        if self.batch_date and not self.batch_level:
            errors["batch_level"] = ValidationError(
                _("Choose the level of the concentrated-start event."), code="batch_level_missing"
            )
        validation.raise_if_any(errors)


class Blocker(models.Model):
    """A blocker (堵点) holding a project back, with its category and when it was raised and resolved."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="blockers")
    category = models.CharField(_("category"), max_length=20, choices=BlockerCategory.choices)
    description = models.TextField(_("description"))
    raised_on = models.DateField(_("raised on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["project", "-raised_on"]
        indexes = [
            # The admin list's order (projects.admin.BlockerAdmin.ordering), deep pages included.
            models.Index("project", F("raised_on").desc(), F("id").desc(), name="projects_blocker_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    def clean(self) -> None:
        validation.raise_if_any(validation.period_order(self.raised_on, self.resolved_on, end_field="resolved_on"))


class ImportBatch(models.Model):
    """One uploaded Excel file (project ledger or monthly progress) through analysis, preview and apply.

    The file's bytes are kept so a worker on another machine can read them and a past import can be
    looked at again; the preview and the errors are stored as the analysis left them.
    """

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("Project ledger")
        PROGRESS = "progress", _("Monthly progress")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        ANALYSING = "analysing", _("Analysing")
        READY = "ready", _("Ready to apply")
        FAILED = "failed", _("Failed")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey("targets.Plan", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="import_batches")
    file_name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file content"), editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    # Who confirmed the preview: the apply's history rows and reports are theirs.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applied_import_batches",
    )
    # The uploader's unit when the upload was made: unit users see their unit's batches.
    department = models.ForeignKey(
        "targets.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    status = models.CharField(_("import status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_rows = models.PositiveIntegerField(_("new"), default=0)
    changed_rows = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.READY and self.error_count == 0 and (self.new_rows + self.changed_rows) > 0
