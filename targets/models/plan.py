"""The plan and what is tracked against it.

A TrackedItem (督办对象) is anything the supervision engine evaluates: a plan goal (Target, here) or
a major project (projects.Project, a multi-table child). Owner, period, target value and schedule
live on the item, so milestones, progress reports and checkpoints attach to one table and this app
never needs to know about projects.

Over 400 lines on purpose: the plan's tables (units, people, plan, items, goals, checkpoints,
milestones, reports) share the TrackedItem base and its constraints, read top to bottom.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .. import validation
from ..choices import (
    ActualSource,
    Cadence,
    Comparator,
    Curve,
    DepartmentKind,
    ItemKind,
    JudgingKind,
    MetricKind,
    MilestoneKind,
    ReviewState,
    Rollup,
    ScheduleMode,
)
from ..querysets import ItemQuerySet, MilestoneQuerySet, ProgressReportQuerySet

# Values keep the plan's numbers exactly: G53 is 98.392 公里 (three decimals).
VALUE = {"max_digits": 17, "decimal_places": 3}
RATIO = {"max_digits": 5, "decimal_places": 2}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


class Department(models.Model):
    """A responsible unit (责任单位): a bureau division, district department, township, company …"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.DISTRICT_DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    head = models.ForeignKey(
        "Person", verbose_name=_("unit head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_departments"
    )
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Person(models.Model):
    """Someone who answers for items: a unit contact, a unit head or a responsible leader."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)  # 姓名, not a unit's 名称
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_leader = models.BooleanField(_("district leader"), default=False, help_text=_("Can be a responsible (contracted) leader."))
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["department__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class Plan(models.Model):
    """An annual work plan (年度计划) and its default status thresholds."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # Ratio r = actual / expected: green at or above, red below; yellow in between.
    threshold_green = models.DecimalField(
        _("green at ratio ≥"), default=Decimal("1.00"), validators=[MinValueValidator(0)], **RATIO
    )
    threshold_red = models.DecimalField(_("red below ratio"), default=Decimal("0.60"), validators=[MinValueValidator(0)], **RATIO)
    threshold_blue = models.DecimalField(
        _("blue at ratio ≥"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Optional: ahead of schedule."),
        **RATIO,
    )
    due_soon_days = models.PositiveSmallIntegerField(_("milestone due-soon days"), default=14)
    milestone_red_months = models.PositiveSmallIntegerField(_("milestone red after months overdue"), default=3)
    report_due_day = models.PositiveSmallIntegerField(_("monthly report due on day"), default=5)
    forecast_margin = models.DecimalField(
        _("forecast warning margin"),
        default=Decimal("0.10"),
        validators=[MinValueValidator(0)],
        help_text=_("Warn when the year-end forecast misses the target by more than this share."),
        **RATIO,
    )
    # The escalation ladder of findings (督办事项), in days since the finding opened.
    finding_deadline_workdays = models.PositiveSmallIntegerField(_("rectification deadline (working days)"), default=10)
    escalate_warning_days = models.PositiveSmallIntegerField(_("level 2 after days open"), default=14)
    escalate_supervision_days = models.PositiveSmallIntegerField(_("level 3 after days open"), default=28)
    reply_workdays = models.PositiveSmallIntegerField(_("reply to a notice within working days"), default=5)
    # 回头看: how long after 销号 a closed finding comes back for a re-check (each finding may move it).
    recheck_days = models.PositiveSmallIntegerField(_("re-check days after close-out"), default=90)
    reports_need_review = models.BooleanField(
        _("reports need review"),
        default=True,
        help_text=_("A unit's progress report counts only once bureau staff approve it (审核)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year"]

    def __str__(self) -> str:
        # Titles usually carry the year already ("2023年工作计划").
        return self.title if str(self.year) in self.title else f"{self.year} {self.title}"

    def clean(self) -> None:
        validation.raise_if_any(validation.period_order(self.period_start, self.period_end))


class TrackedItem(models.Model):
    """What the supervision engine evaluates: owner, period, target value and schedule."""

    kind = models.CharField(_("item kind"), max_length=10, choices=ItemKind.choices, editable=False)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("name"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices, default=Comparator.GTE)
    target_value = models.DecimalField(_("target value"), null=True, blank=True, **VALUE)
    schedule_mode = models.CharField(_("schedule mode"), max_length=12, choices=ScheduleMode.choices, default=ScheduleMode.LINEAR)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="led_items"
    )
    cooperating_departments = models.ManyToManyField(
        Department, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_items"
    )
    responsible_leader = models.ForeignKey(
        Person, verbose_name=_("responsible leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="led_items"
    )
    contact = models.ForeignKey(
        Person, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_items"
    )
    # Per-item overrides of the plan's thresholds (blank: the plan's).
    threshold_green = models.DecimalField(
        _("green at ratio ≥"), null=True, blank=True, validators=[MinValueValidator(0)], **RATIO
    )
    threshold_red = models.DecimalField(_("red below ratio"), null=True, blank=True, validators=[MinValueValidator(0)], **RATIO)
    threshold_blue = models.DecimalField(_("blue at ratio ≥"), null=True, blank=True, validators=[MinValueValidator(0)], **RATIO)
    notes = models.TextField(_("notes"), blank=True)
    # 年度结转 (targets.rollover): the same goal or project in the previous plan, and a copied goal
    # that staff have not published yet (drafts are not evaluated, listed in digests or dashboards).
    previous = models.OneToOneField(
        "self",
        verbose_name=_("last year's record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_year",
        editable=False,
    )
    is_draft = models.BooleanField(
        _("draft"),
        default=False,
        help_text=_("A goal copied from last year's plan: not evaluated until staff publish it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("tracked item")
        verbose_name_plural = _("tracked items")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="%(app_label)s_%(class)s_unique_code_per_plan"),
        ]
        indexes = [
            # Unit scoping in the admin, the API and the digests.
            models.Index(fields=["lead_department", "kind"], name="targets_item_dept_kind"),
            # The goal and project change lists' order (newest plan first, then code), deep pages included.
            models.Index(F("plan_id").desc(), "code", F("id").desc(), name="targets_item_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        validation.raise_if_any(
            validation.period_order(self.period_start, self.period_end),
            validation.non_negative(target_value=self.target_value),
        )

    @property
    def is_yes_no(self) -> bool:
        """True when progress is judged by milestones only (no numeric value to report)."""
        return False


class Target(TrackedItem):
    """A numbered goal of the plan (指标), e.g. 2023-G49 "build 200+ charging piles"."""

    source_text = models.TextField(_("source text"), blank=True, help_text=_("The sentence of the plan this goal comes from."))
    gloss_en = models.TextField(_("English gloss"), blank=True)
    section_ref = models.CharField(_("section"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent goal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    metric_kind = models.CharField(_("metric kind"), max_length=12, choices=MetricKind.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("Amounts are stored in 10k yuan (万元)."))
    show_in_yi = models.BooleanField(
        _("display in 100M yuan"), default=False, help_text=_("Show amounts in 亿元 as the plan states them.")
    )
    target_text = models.CharField(
        _("target (as written)"), max_length=200, blank=True, help_text=_("For relative goals with no number.")
    )
    modality = models.CharField(
        _("commitment word"), max_length=20, blank=True, help_text=_("As written: 确保, 目标, 计划, 拟, 力争, 争取 …")
    )
    baseline_value = models.DecimalField(_("baseline value"), null=True, blank=True, **VALUE)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_note = models.TextField(_("baseline note"), blank=True)
    actual_source = models.CharField(
        _("actual value from"), max_length=10, choices=ActualSource.choices, default=ActualSource.REPORTED
    )
    rollup = models.CharField(_("roll-up"), max_length=40, choices=Rollup.choices, blank=True)
    # How the goal is judged (targets.engine.judging; docs/judging.md). Blank: derived from the metric kind.
    judging_kind = models.CharField(_("judged as"), max_length=12, choices=JudgingKind.choices, blank=True)
    cadence = models.CharField(
        _("reporting cadence"), max_length=10, choices=Cadence.choices, blank=True, help_text=_("Blank: monthly.")
    )
    publication_lag_days = models.PositiveSmallIntegerField(
        _("publication lag (days)"),
        null=True,
        blank=True,
        help_text=_("A figure is due this many days after its period ends; blank: the plan's report day of the next month."),
    )
    curve = models.CharField(
        _("expected-progress curve"),
        max_length=16,
        choices=Curve.choices,
        blank=True,
        help_text=_("Blank: from the schedule mode (序时, or the checkpoint rows)."),
    )
    tolerance = models.DecimalField(
        _("tolerance for ≈ goals"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(0)],
        help_text=_("An “about” (约/左右) goal is met from this share below its number."),
    )
    is_headline = models.BooleanField(_("headline number"), default=False, help_text=_("Shown on the admin home page."))
    headline_order = models.PositiveSmallIntegerField(_("headline order"), default=0)
    evaluation_note = models.CharField(_("evaluation"), max_length=100, blank=True)
    confidence = models.CharField(_("reading confidence"), max_length=10, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "code"]

    def save(self, *args, **kwargs) -> None:
        self.kind = ItemKind.GOAL
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = validation.non_negative(baseline_value=self.baseline_value)
        if self.actual_source == ActualSource.ROLLUP and not self.rollup:
            errors["rollup"] = validation.ValidationError(_("Choose the roll-up that computes this goal."), code="rollup_missing")
        if self.metric_kind == MetricKind.MILESTONE and self.target_value is not None:
            errors["target_value"] = validation.ValidationError(_("A yes/no goal has no target value."), code="value_not_allowed")
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = validation.ValidationError(_("A goal cannot be its own parent."), code="parent_cycle")
        validation.raise_if_any(errors)

    @property
    def is_yes_no(self) -> bool:
        return self.metric_kind == MetricKind.MILESTONE


class Baseline(models.Model):
    """A figure from the previous year's summary that informs one or more goals (基数)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="baselines")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("source text"))
    gloss_en = models.TextField(_("English gloss"), blank=True)
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE)
    value_text = models.CharField(_("value (as written)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    section_ref = models.CharField(_("section"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    targets = models.ManyToManyField(Target, verbose_name=_("goals"), blank=True, related_name="baselines")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class Checkpoint(models.Model):
    """Expected cumulative value at a date: a goal's checkpoints or a project's monthly plan."""

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="checkpoints")
    date = models.DateField(_("date"))
    expected_value = models.DecimalField(_("expected cumulative value"), validators=[MinValueValidator(0)], **VALUE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["item", "date"]
        constraints = [models.UniqueConstraint(fields=["item", "date"], name="%(app_label)s_%(class)s_unique_date")]

    def __str__(self) -> str:
        return f"{self.date}: {self.expected_value}"


class Milestone(models.Model):
    """A dated node (节点) of a goal or a project: start, completion, entry into statistics …"""

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.OTHER)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="milestones/%Y/%m/", blank=True)
    # One event named twice by the plan (a goal's milestone and a project's, e.g. G23 and NP03's
    # start): the project's milestone points at the goal's. The miss opens one finding, on the
    # project, and the goal's milestone takes its actual date from the milestones that fulfil it.
    fulfils = models.ForeignKey(
        "self",
        verbose_name=_("fulfils milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fulfilled_by",
        help_text=_(
            "The milestone of another item (usually a goal) that this one is the same event as. "
            "That milestone is done when every milestone fulfilling it is done."
        ),
    )
    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item", "planned_date", "id"]
        indexes = [
            # Roll-ups count starts and completions by kind and actual date.
            models.Index(fields=["kind", "actual_date"], name="targets_ms_kind_actual"),
            # The admin's date hierarchy probes its first and last dates and each period by index.
            models.Index(fields=["planned_date"], name="targets_ms_planned_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.fulfils_id:
            self.fulfils.sync_from_fulfilling()

    def clean(self) -> None:
        errors = validation.actual_date_not_future(self.actual_date, timezone.localdate())
        if self.fulfils_id and "fulfils" not in errors:
            errors.update(self.fulfils_errors())
        validation.raise_if_any(errors)

    def fulfils_errors(self) -> dict:
        """The link must join two items of one plan, one step only (no chains)."""
        target = self.fulfils
        if self.item_id and target.item_id == self.item_id:
            message, code = _("A milestone cannot fulfil a milestone of its own item."), "fulfils_same_item"
        elif self.item_id and target.item.plan_id != self.item.plan_id:
            message, code = _("The milestone it fulfils must belong to the same plan."), "fulfils_other_plan"
        elif target.fulfils_id:
            message, code = _("That milestone itself fulfils another one; link to the last one."), "fulfils_chain"
        elif self.pk and self.fulfilled_by.exists():
            message, code = _("Other milestones fulfil this one, so it cannot fulfil another."), "fulfils_chain"
        else:
            return {}
        return {"fulfils": validation.ValidationError(message, code=code)}

    def sync_from_fulfilling(self) -> None:
        """Done (on the latest of their dates) when every milestone fulfilling this one is done."""
        dates = list(self.fulfilled_by.values_list("actual_date", flat=True))
        actual = max(dates) if dates and all(dates) else None
        if actual != self.actual_date:
            self.actual_date = actual
            super().save(update_fields=["actual_date"])


class ProgressReport(models.Model):
    """A progress report (进度报送): the cumulative value of a goal or project as of a date.

    Corrections are edits of the report; the audit history keeps every earlier value and who set it.
    """

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="reports")
    period = models.DateField(
        _("reporting month"), blank=True, help_text=_("First day of the month reported on; derived from the date if left blank.")
    )
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(
        _("cumulative value"), null=True, blank=True, help_text=_("For projects: completed investment in 万元."), **VALUE
    )
    narrative = models.TextField(_("progress"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    correction_reason = models.CharField(_("correction reason"), max_length=300, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_reports",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    # 审核: set on entry by targets.review (a unit's report is submitted, staff's approved); rows made
    # outside those paths (fixtures, the demo register, earlier data) count as approved.
    review_state = models.CharField(
        _("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.APPROVED, editable=False
    )
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["item", "-as_of"]
        constraints = [
            # A second report for the same day is a correction of the first, not a new row.
            models.UniqueConstraint(fields=["item", "as_of"], name="%(app_label)s_%(class)s_unique_as_of"),
        ]
        indexes = [
            # The admin list: its date hierarchy and its reporting months, probed by index (targets.admin.paging).
            models.Index(fields=["as_of"], name="targets_report_as_of"),
            models.Index(fields=["period"], name="targets_report_period"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} @ {self.as_of}"

    def save(self, *args, **kwargs) -> None:
        if self.as_of and not self.period:
            self.period = month_start(self.as_of)
        super().save(*args, **kwargs)

    def previous_value(self) -> Decimal | None:
        """The latest cumulative value reported before this report's date."""
        earlier = ProgressReport.objects.filter(item_id=self.item_id, as_of__lt=self.as_of, value__isnull=False)
        if self.pk:
            earlier = earlier.exclude(pk=self.pk)
        return earlier.order_by("-as_of").values_list("value", flat=True).first()

    def next_report(self) -> tuple[dt.date, Decimal] | tuple[None, None]:
        """(date, value) of the earliest report after this one's date, unless it is a correction
        with a reason (its drop is explained); (None, None) otherwise."""
        later = ProgressReport.objects.filter(item_id=self.item_id, as_of__gt=self.as_of, value__isnull=False)
        if self.pk:
            later = later.exclude(pk=self.pk)
        row = later.order_by("as_of").values_list("as_of", "value", "correction_reason").first()
        if row is None or row[2].strip():
            return None, None
        return row[0], row[1]

    def clean(self) -> None:
        if self.as_of and not self.period:
            self.period = month_start(self.as_of)
        if not self.item_id or not self.as_of:
            return
        item = self.item
        is_yes_no = item.kind == ItemKind.GOAL and Target.objects.filter(pk=item.pk, metric_kind=MetricKind.MILESTONE).exists()
        next_as_of, next_value = self.next_report()
        validation.raise_if_any(
            validation.progress_report(
                is_yes_no=is_yes_no,
                value=self.value,
                as_of=self.as_of,
                today=timezone.localdate(),
                period_start=item.period_start,
                period_end=item.period_end,
                previous_value=self.previous_value(),
                correction_reason=self.correction_reason,
                narrative=self.narrative,
                problems=self.problems,
                next_as_of=next_as_of,
                next_value=next_value,
            )
        )
