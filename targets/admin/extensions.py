"""Extension requests (申请延期) across findings: staff approve or reject them here or on the finding's page."""

# ruff: noqa: ARG002

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import findings
from ..formatting import EMPTY
from ..models import (
    ExtensionRequest,
)
from .helpers import DubanAdmin, is_staff, short
from .paging import RelatedOnlyExistsFilter


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(DubanAdmin):
    """Extension requests across findings: staff approve or reject them here or on the finding's page."""

    list_display = (
        "finding",
        "unit",
        "previous_deadline",
        "requested_deadline",
        "short_reason",
        "decision",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("decision", ("finding__department", RelatedOnlyExistsFilter), "finding__item__plan")
    list_select_related = ("finding", "finding__item", "finding__department", "requested_by", "decided_by")
    search_fields = ("reason", "finding__item__code", "finding__item__title")
    actions = ("approve", "reject")
    readonly_fields = (
        "finding",
        "reason",
        "requested_deadline",
        "previous_deadline",
        "requested_by",
        "requested_at",
        "decision",
        "decided_by",
        "decided_at",
    )

    def has_add_permission(self, request):
        return False  # requested on the finding's page

    def has_change_permission(self, request, obj=None):
        return False  # decided by the actions (targets.findings.decide_extension)

    def has_staff_permission(self, request):
        return is_staff(request)

    @admin.display(description=_("lead unit"), ordering="finding__department__name")
    def unit(self, obj):
        return obj.finding.department or EMPTY

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return short(obj.reason, 40)

    def _decide(self, request, queryset, approve: bool):
        done, refused = 0, []
        for extension in queryset.select_related("finding"):
            try:
                findings.decide_extension(extension, request.user, approve=approve)
                done += 1
            except ValidationError as exc:
                refused.append(f"#{extension.pk}: {' '.join(exc.messages)}")
        text = ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    @admin.action(description=_("Approve the selected extension requests"), permissions=["staff"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected extension requests"), permissions=["staff"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)
