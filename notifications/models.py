"""The delivery ledger and per-person preferences.

Every message is claimed in the ledger under a unique key before it is sent, so a retried task, a
second worker or a re-run for the same period cannot send it twice: the key's UniqueConstraint,
not a check in Python, is what makes it exactly once.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.models import Department, Finding, Person

from .egress import check_url


class DeliveryKind(models.TextChoices):
    DIGEST_UNIT = "digest_unit", _("Weekly digest (unit contact)")
    DIGEST_LEADER = "digest_leader", _("Weekly digest (responsible leader)")
    DIGEST_STAFF = "digest_staff", _("Weekly digest (bureau staff)")
    ESCALATION = "escalation", _("Escalation notice")
    REMINDER = "reminder", _("Monthly report reminder")
    REMINDER_LATE = "reminder_late", _("Monthly report reminder (after the deadline)")
    WEBHOOK_DIGEST = "webhook_digest", _("Weekly digest (group robot)")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook subscriber switched off")


# Kinds a person may mute with the unsubscribe link; the others are statutory.
OPTIONAL_KINDS = frozenset({DeliveryKind.DIGEST_UNIT})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNDELIVERABLE = "undeliverable", _("Undeliverable (no address)")


class Delivery(models.Model):
    """One message to one recipient, claimed under its key before it is sent."""

    kind = models.CharField(_("kind"), max_length=20, choices=DeliveryKind.choices)
    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    # kind:recipient:period, or kind:recipient:finding:level for escalation notices.
    key = models.CharField(_("delivery key"), max_length=120)
    period = models.CharField(_("period"), max_length=20, blank=True, help_text=_("ISO week (2023-W28) or month (2023-07)."))
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    level = models.PositiveSmallIntegerField(_("escalation level"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Set while a worker sends; a claim older than the lease is considered abandoned (worker crash).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="%(app_label)s_%(class)s_unique_key")]
        indexes = [
            # The admin's "failed" filter and the retry of failed rows by the next run.
            models.Index(fields=["status"], name="notif_delivery_not_sent", condition=~Q(status="sent")),
        ]

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """A person's choices: optional kinds muted, statutory kinds delegated to someone else (by staff)."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest_muted = models.BooleanField(_("weekly digest muted"), default=False)
    delegate = models.ForeignKey(
        Person,
        verbose_name=_("delegate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Receives this person's statutory notices instead (set by bureau staff)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.person)


class WebhookPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class UnitWebhook(models.Model):
    """A unit's group-robot webhook (企业微信 or 钉钉) that receives the unit's weekly digest as Markdown."""

    department = models.ForeignKey(Department, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=10, choices=WebhookPlatform.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True, help_text=_("DingTalk 'sign' security setting (SEC…); empty for WeCom.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot webhook")
        verbose_name_plural = _("group robot webhooks")
        ordering = ["department", "platform"]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_platform_display()})"

    def clean(self) -> None:
        super().clean()
        if self.url:
            try:
                check_url(self.url)
            except ValidationError as exc:
                raise ValidationError({"url": exc}) from exc


class WebhookEventType(models.TextChoices):
    STATUS_CHANGED = "status_changed", _("Item changed colour")
    FINDING_OPENED = "finding_opened", _("Finding opened")
    FINDING_ESCALATED = "finding_escalated", _("Finding escalated")
    FINDING_CLOSED = "finding_closed", _("Finding closed out")
    REPORT_SUBMITTED = "report_submitted", _("Progress report submitted")


def all_event_types() -> list[str]:
    return list(WebhookEventType.values)


class WebhookSubscriber(models.Model):
    """An outside system that receives the chosen events as signed JSON POSTs (outgoing webhooks)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, help_text=_("Signs each body: X-Duban-Signature: sha256=<HMAC-SHA256 hex>.")
    )
    events = models.JSONField(_("events"), default=all_event_types, blank=True)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    disabled_reason = models.CharField(_("reason switched off"), max_length=300, blank=True)
    # The watermark: only events that happen after the subscriber was created are sent to it.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.url:
            try:
                check_url(self.url)
            except ValidationError as exc:
                raise ValidationError({"url": exc}) from exc


class WebhookDelivery(models.Model):
    """One event for one subscriber (the outbox and the delivery log): claimed, posted, recorded."""

    subscriber = models.ForeignKey(
        WebhookSubscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # status:<event id>, finding_opened:<finding id>, finding_escalated:<escalation id>, ...
    key = models.CharField(_("event key"), max_length=120)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event type"), max_length=20, choices=WebhookEventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=15, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "key"], name="%(app_label)s_%(class)s_once_per_subscriber"),
        ]
        indexes = [
            models.Index(fields=["status"], name="notif_hook_not_sent", condition=~Q(status="sent")),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id}:{self.key}"
