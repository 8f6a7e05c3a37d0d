"""What the supervision run writes and what staff follow up: snapshots, colour changes, findings.

The run (targets.engine.supervision) evaluates every item on a date, stores one StatusSnapshot per item
and date, records each colour change as a StatusEvent, and keeps the finding register (督办事项):
one open Finding per lagging item and cause. The three lists (问题清单, 责任清单, 整改清单) are views
of the open findings; a SupervisionRound freezes them and records the notices sent to each unit.

Exactly-once is enforced by unique constraints, not only by checks in Python.

Over 400 lines on purpose: the run's and the register's tables are read together (a finding points at
snapshots, rounds freeze findings); the loop's extra tables live in models/loop.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    OPEN_FINDING_STATES,
    ExtensionDecision,
    FindingCause,
    FindingLevel,
    FindingSource,
    FindingState,
    ProblemCategory,
    RecheckResult,
    RoundKind,
    StatusChoice,
    VerdictOutcome,
    finding_key,
)
from ..querysets import FindingQuerySet, SupervisionRunQuerySet, open_finding
from .plan import VALUE, Department, Milestone, Person, Plan, TrackedItem

STATUS = {"max_length": 6, "choices": StatusChoice.choices}


class SnapshotFigures(models.Model):
    """What an evaluation says of one item: the colours, the figures behind them and the reasons.

    Shared by the run's daily StatusSnapshot and a closed month's official MonthSnapshot
    (targets.periods), so readers take either with the same field names.
    """

    status = models.CharField(_("status"), **STATUS)
    value_status = models.CharField(_("progress status"), **STATUS)
    milestone_status = models.CharField(_("milestone status"), **STATUS)
    reporting_status = models.CharField(_("reporting status"), **STATUS)
    expected = models.DecimalField(_("expected"), null=True, blank=True, **VALUE)
    actual = models.DecimalField(_("actual"), null=True, blank=True, **VALUE)
    ratio = models.DecimalField(_("ratio"), null=True, blank=True, max_digits=12, decimal_places=2)
    gap = models.DecimalField(_("gap"), null=True, blank=True, **VALUE)
    forecast = models.DecimalField(_("forecast at period end"), null=True, blank=True, **VALUE)
    judged_on = models.DateField(_("judged at statistics point"), null=True, blank=True)
    overridden = models.BooleanField(_("overridden by staff"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        abstract = True


class StatusSnapshot(SnapshotFigures):
    """The colour of one item on one evaluation date, with the figures behind it."""

    # No index of its own: the unique (item, date) constraint below leads with item_id.
    item = models.ForeignKey(
        TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    date = models.DateField(_("evaluation date"))

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        ordering = ["-date", "item"]
        constraints = [models.UniqueConstraint(fields=["item", "date"], name="%(app_label)s_%(class)s_unique_day")]
        indexes = [
            # Colour filters and counts read the snapshots of the latest run date.
            models.Index(fields=["date", "status"], name="targets_snap_date_status"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date} {self.status}"


class StatusEvent(models.Model):
    """A colour change (old → new) found by the run on a date; notifications consume these."""

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="status_events")
    date = models.DateField(_("date"))
    old_status = models.CharField(_("old status"), **STATUS)
    new_status = models.CharField(_("new status"), **STATUS)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-date", "item"]
        constraints = [models.UniqueConstraint(fields=["item", "date"], name="%(app_label)s_%(class)s_unique_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date}: {self.old_status} → {self.new_status}"


class StatusOverride(models.Model):
    """A staff decision to show an item in another colour, with the reason (audited)."""

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="status_overrides")
    status = models.CharField(_("status"), **STATUS)
    reason = models.TextField(_("reason"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status override")
        verbose_name_plural = _("status overrides")
        ordering = ["item", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status} ({self.valid_from})"


class HolidayOverride(models.Model):
    """A local decision that a date is (or is not) a working day, over the PRC calendar."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {'✓' if self.is_workday else '✗'}"


class SupervisionRun(models.Model):
    """One evaluation of a plan on a date; the latest one is "today's" status."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="runs")
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    items = models.PositiveIntegerField(_("items evaluated"), default=0)
    counts = models.JSONField(_("counts per colour"), default=dict, blank=True)
    opened = models.PositiveIntegerField(_("findings opened"), default=0)
    escalated = models.PositiveIntegerField(_("findings escalated"), default=0)
    ready_to_close = models.PositiveIntegerField(_("findings ready to close"), default=0)

    objects = SupervisionRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision run")
        verbose_name_plural = _("supervision runs")
        ordering = ["-as_of"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="%(app_label)s_%(class)s_unique_day")]

    def __str__(self) -> str:
        return f"{self.plan.year} @ {self.as_of}"


class Verdict(models.Model):
    """An item's final verdict (年终评价): made once its deadline or period has passed and its last
    due figure is in or overdue (targets.engine.judging.is_final); the daily job keeps evaluating a plan
    after its period until every item of it has one."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="verdicts")
    item = models.OneToOneField(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="verdict")
    decided_on = models.DateField(_("decided on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=VerdictOutcome.choices)
    status = models.CharField(_("status"), **STATUS)
    expected = models.DecimalField(_("target"), null=True, blank=True, **VALUE)
    actual = models.DecimalField(_("actual"), null=True, blank=True, **VALUE)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("final verdict")
        verbose_name_plural = _("final verdicts (年终评价)")
        ordering = ["plan", "item__code"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.outcome} ({self.decided_on})"


class SupervisionRound(models.Model):
    """A supervision round (督查轮次): a site inspection, a scheduling meeting or an automatic round."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round number"))
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices, default=RoundKind.SITE_INSPECTION)
    notes = models.TextField(_("notes"), blank=True)
    issuing_office = models.CharField(_("issuing office"), max_length=100, default="区发展改革局督查室")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision round")
        verbose_name_plural = _("supervision rounds")
        ordering = ["-date", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="%(app_label)s_%(class)s_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan.year}-R{self.number} {self.title}"


class Finding(models.Model):
    """A finding of the register (督办事项): one lagging item and cause, followed until 销号.

    Its problem, responsibility and rectification fields are the three lists (三清单).
    """

    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="findings")
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    cause = models.CharField(_("cause"), max_length=20, choices=FindingCause.choices)
    source = models.CharField(_("source"), max_length=20, choices=FindingSource.choices, default=FindingSource.AUTOMATIC)
    category = models.CharField(_("problem category"), max_length=20, choices=ProblemCategory.choices, blank=True)
    # item:cause:milestone. At most one open finding per key (the partial unique constraint below).
    dedupe_key = models.CharField(_("deduplication key"), max_length=60, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=FindingState.choices, default=FindingState.OPEN)
    level = models.PositiveSmallIntegerField(_("escalation level"), choices=FindingLevel.choices, default=FindingLevel.REMINDER)
    round = models.ForeignKey(
        SupervisionRound, verbose_name=_("found in round"), null=True, blank=True, on_delete=models.SET_NULL, related_name="found"
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("earlier finding"), null=True, blank=True, on_delete=models.SET_NULL, related_name="later"
    )

    # 问题清单: what is wrong.
    opened_on = models.DateField(_("found on"))
    light_when_found = models.CharField(_("light when found"), **STATUS)
    expected = models.DecimalField(_("expected"), null=True, blank=True, **VALUE)
    actual = models.DecimalField(_("actual"), null=True, blank=True, **VALUE)
    gap = models.DecimalField(_("gap"), null=True, blank=True, **VALUE)
    days_overdue = models.PositiveIntegerField(_("days overdue"), null=True, blank=True)
    description = models.TextField(_("what is behind"), blank=True)
    problems = models.TextField(_("reported problems"), blank=True)

    # 责任清单: who answers for it (copied from the item when found; staff may adjust).
    department = models.ForeignKey(
        Department, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    cooperating_departments = models.ManyToManyField(
        Department, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_findings"
    )
    responsible_leader = models.ForeignKey(
        Person, verbose_name=_("responsible leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Person, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Automatic findings are provisional (待确认) until staff confirm them for the next dispatch.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # 整改清单: what will be done, by when, and how it was closed.
    measures = models.TextField(_("rectification measures"), blank=True)
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="findings/%Y/%m/", blank=True)
    ready_to_close = models.BooleanField(_("back on track"), default=False)
    closure_requested_on = models.DateField(_("close-out requested on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    closed_on = models.DateField(_("closed out on"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    # Reopening (staff, or a relapse found by a run or a re-check); counted in the unit's record.
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 回头看: set on close-out (plan.recheck_days later), then the result staff record.
    recheck_due = models.DateField(_("re-check due"), null=True, blank=True)
    recheck_result = models.CharField(_("re-check result"), max_length=10, choices=RecheckResult.choices, blank=True)
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-level", "deadline", "id"]
        constraints = [
            # The heart of exactly-once: concurrent or repeated runs cannot open a second finding.
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=open_finding(), name="%(app_label)s_%(class)s_one_open_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "level"], name="targets_finding_state_level"),
            # The API's list order (the ordering above): a page is read off the index, not sorted.
            models.Index(fields=["-level", "deadline", "id"], name="targets_finding_list_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.item} ({self.get_cause_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.cause == FindingCause.MANUAL:
            # Staff may raise several findings on one item (one per inspection): never deduplicated.
            if not self.dedupe_key.startswith("manual:"):
                self.dedupe_key = f"manual:{uuid.uuid4().hex}"
        else:
            self.dedupe_key = self.key_for(self.item_id, self.cause, self.milestone_id)
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(item_id: int, cause: str, milestone_id: int | None = None) -> str:
        return finding_key(item_id, cause, milestone_id)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_FINDING_STATES


class FindingUpdate(models.Model):
    """A dated progress note on a finding (进展反馈); append-only."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["finding", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:30]}"


class Escalation(models.Model):
    """A finding reaching a level of the ladder, with who is told (at most one per level)."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("escalation level"), choices=FindingLevel.choices)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recipients = models.JSONField(_("people told"), default=list, blank=True, help_text=_("Names and addresses at the time."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["finding", "level"]
        constraints = [models.UniqueConstraint(fields=["finding", "level"], name="%(app_label)s_%(class)s_once_per_level")]

    def __str__(self) -> str:
        return f"#{self.finding_id} L{self.level} {self.date}"


class ExtensionRequest(models.Model):
    """A unit's request to move a finding's deadline; bureau staff approve, the old date is kept."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    requested_deadline = models.DateField(_("requested deadline"))
    previous_deadline = models.DateField(_("previous deadline"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=ExtensionDecision.choices, default=ExtensionDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["finding", "-requested_at"]

    def __str__(self) -> str:
        return f"#{self.finding_id} → {self.requested_deadline} ({self.decision})"


class RoundFinding(models.Model):
    """A finding as it stood when a round was taken (the frozen three lists)."""

    round = models.ForeignKey(SupervisionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="entries")
    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="round_entries")
    data = models.JSONField(_("as it stood"), default=dict)

    class Meta:
        verbose_name = _("finding in a round")
        verbose_name_plural = _("findings in a round")
        constraints = [models.UniqueConstraint(fields=["round", "finding"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"{self.round} #{self.finding_id}"


class Dispatch(models.Model):
    """A notice (督办通知单) sent to one unit for one round; counting these gives "21 份"."""

    round = models.ForeignKey(SupervisionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="dispatches")
    department = models.ForeignKey(Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dispatches")
    number = models.CharField(_("notice number"), max_length=40)
    items = models.PositiveIntegerField(_("items"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="%(app_label)s_%(class)s_once_per_unit")]

    def __str__(self) -> str:
        return self.number
