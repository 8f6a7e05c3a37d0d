"""The 督办 loop around a finding: assigned matters, replies and their review, the timeline, evidence.

- AssignedMatter (交办事项): a leader's instruction (批示), a meeting decision or an inspection item
  assigned to a lead unit with a deadline; it runs as a Finding of the same source.
- FindingReply: a unit's written answer to a finding (or to a 督办通知单), accepted or sent back.
- FindingEvent: one step of a finding's timeline (who, when, what); append-only.
- Evidence (佐证材料): files of a finding, a reply, a progress report or a milestone.

State changes are made by the targets.findings service, never by saving these directly.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import EvidenceKind, FindingEventKind, MatterSource, ReplyState
from .plan import Department, Milestone, ProgressReport, TrackedItem
from .supervision import Dispatch, Finding, SupervisionRound

USER = settings.AUTH_USER_MODEL


class AssignedMatter(models.Model):
    """A matter assigned to a unit (交办事项) from an instruction, a meeting or an inspection."""

    source = models.CharField(_("source"), max_length=20, choices=MatterSource.choices)
    title = models.CharField(_("title"), max_length=200)
    requirement = models.TextField(_("what is required"), max_length=4000)
    item = models.ForeignKey(
        TrackedItem,
        verbose_name=_("goal or project"),
        on_delete=models.PROTECT,
        related_name="matters",
        help_text=_("The goal or project the matter concerns; it places the matter in the plan's lists."),
    )
    # 领导批示
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    leader = models.CharField(_("instructing leader"), max_length=60, blank=True)
    instructed_on = models.DateField(_("instruction date"), null=True, blank=True)
    original_text = models.TextField(_("original text of the instruction"), max_length=4000, blank=True)
    # 调度会 / 联席会议
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_on = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_item = models.CharField(_("agreed item"), max_length=200, blank=True)
    # 现场督查
    round = models.ForeignKey(
        SupervisionRound, verbose_name=_("inspection round"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    department = models.ForeignKey(Department, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="matters")
    cooperating_departments = models.ManyToManyField(
        Department, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_matters"
    )
    assigned_on = models.DateField(_("assigned on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"))
    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), null=True, blank=True, on_delete=models.PROTECT, related_name="matter", editable=False
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assigned matter")
        verbose_name_plural = _("assigned matters")
        ordering = ["-assigned_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = matter_errors(self)
        if errors:
            raise ValidationError(errors)


def matter_errors(matter: AssignedMatter) -> dict[str, ValidationError]:
    """What an assigned matter lacks for its source (a clear error per field)."""
    errors: dict[str, ValidationError] = {}

    def need(field: str, message: str) -> None:
        if getattr(matter, field) in (None, ""):
            errors[field] = ValidationError(message, code="required")

    if matter.source == MatterSource.INSTRUCTION:
        need("leader", gettext("Name the leader who gave the instruction."))
        need("instructed_on", gettext("Give the date of the instruction."))
        need("original_text", gettext("Enter the instruction's original text."))
    elif matter.source == MatterSource.MEETING:
        need("meeting", gettext("Name the meeting."))
        need("meeting_on", gettext("Give the date of the meeting."))
    if matter.deadline and matter.assigned_on and matter.deadline < matter.assigned_on:
        errors["deadline"] = ValidationError(
            gettext("The deadline cannot be before the day the matter is assigned."), code="before_assigned"
        )
    return errors


class FindingReply(models.Model):
    """A unit's written reply (书面回复) to a finding or to a 督办通知单, reviewed by bureau staff."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="replies")
    dispatch = models.ForeignKey(
        Dispatch,
        verbose_name=_("answers the notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    text = models.TextField(_("reply"), max_length=8000)
    submitted_by = models.ForeignKey(USER, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    state = models.CharField(_("review"), max_length=10, choices=ReplyState.choices, default=ReplyState.PENDING)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), max_length=4000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["finding", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"#{self.finding_id} {self.submitted_at:%Y-%m-%d} ({self.state})"


class FindingEvent(models.Model):
    """One step on a finding's timeline; written by the service functions, never edited."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=20, choices=FindingEventKind.choices)
    date = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("what"), blank=True)
    reply = models.ForeignKey(
        FindingReply, verbose_name=_("reply"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The deadline this step set (a reopening), so the deadline at any past date can be read back.
    deadline = models.DateField(_("deadline set"), null=True, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["finding", "date", "at", "id"]
        indexes = [models.Index(fields=["kind", "date"], name="targets_fevent_kind_date")]

    def __str__(self) -> str:
        return f"#{self.finding_id} {self.date} {self.kind}"


def evidence_path(_instance, filename: str) -> str:
    # The stored name is random: the user's file name is kept in `name` and never reaches the disk.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{suffix[:8]}"


class Evidence(models.Model):
    """A file (佐证材料) attached to exactly one finding, reply, progress report or milestone."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    reply = models.ForeignKey(
        FindingReply, verbose_name=_("reply"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    report = models.ForeignKey(
        ProgressReport, verbose_name=_("progress report"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to="evidence/thumbs/", max_length=200, blank=True)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=EvidenceKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(finding__isnull=False, reply__isnull=True, report__isnull=True, milestone__isnull=True)
                    | Q(finding__isnull=True, reply__isnull=False, report__isnull=True, milestone__isnull=True)
                    | Q(finding__isnull=True, reply__isnull=True, report__isnull=False, milestone__isnull=True)
                    | Q(finding__isnull=True, reply__isnull=True, report__isnull=True, milestone__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name
