"""Closed statistics months (月度锁定): the month's state and its official snapshot.

A MonthClose row exists once a month of a plan has been closed; reopening keeps the row (closed =
False, with who reopened it and why) and the history keeps every close and reopen. Its
MonthSnapshot rows are the month's official figures, one per item, as evaluated at the month end
when it was closed; the next close rebuilds them. The rules are in targets.periods.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .plan import Plan, TrackedItem
from .supervision import SnapshotFigures


class MonthClose(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="month_closes")
    month = models.DateField(_("statistics month"), help_text=_("First day of the month."))
    closed = models.BooleanField(_("closed"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    items = models.PositiveIntegerField(_("items in the snapshot"), default=0)
    counts = models.JSONField(_("counts per colour"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["plan", "-month"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="%(app_label)s_%(class)s_unique_month")]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.month:%Y-%m}"


class MonthSnapshot(SnapshotFigures):
    """One item's official figures, colour and reasons for a closed month, as of its end."""

    month_close = models.ForeignKey(
        MonthClose, verbose_name=_("month close"), on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    item = models.ForeignKey(TrackedItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="month_snapshots")
    date = models.DateField(_("evaluation date"))

    class Meta:
        verbose_name = _("month snapshot")
        verbose_name_plural = _("month snapshots")
        ordering = ["month_close", "item"]
        constraints = [
            models.UniqueConstraint(fields=["month_close", "item"], name="%(app_label)s_%(class)s_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date} {self.status}"
