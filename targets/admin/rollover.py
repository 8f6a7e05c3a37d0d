"""The year roll-over (年度结转) on goal and project pages: last year's record and figure, next
year's record, and the 发布 (publish) action for draft goals (targets.rollover)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import formatting, rollover
from ..models import TrackedItem
from ..permissions import is_bureau_staff
from .status import item_change_url


def item_link(item: TrackedItem):
    url = item_change_url(item.kind, item.pk)
    label = f"{item.plan.year} {item.code} {item.title}"
    return format_html('<a href="{}">{}</a>', url, label) if url else label


class YearLinksMixin:
    """A "last year / next year" panel on a goal's or project's page, and the goals' 发布 action."""

    year_links_title = _("Last year and next year (年度结转)")

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or obj.pk is None:
            return fieldsets
        if obj.previous_id or obj.is_draft or TrackedItem.objects.filter(previous_id=obj.pk).exists():
            fieldsets.insert(1, (self.year_links_title, {"fields": ("year_links",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if "year_links" in fields else (*fields, "year_links")

    @admin.display(description=_("last year / next year"))
    def year_links(self, obj):
        if obj is None or obj.pk is None:
            return formatting.EMPTY
        rows = []
        if obj.is_draft:
            rows.append((_("State"), _("Draft copied from last year: not evaluated until staff publish it (发布).")))
        last = rollover.last_year(obj)
        if last is not None:
            rows.append((_("Last year's record"), item_link(last.item)))
            rows.append((_("Last year's target value"), formatting.number(last.target_value)))
            figure = (
                _("%(value)s (as of %(date)s)") % {"value": formatting.number(last.value), "date": last.as_of}
                if last.value is not None
                else formatting.EMPTY
            )
            rows.append((_("Last year's figure"), figure))
        completed_before = getattr(obj, "completed_before", None)
        if completed_before is not None:
            rows.append((_("Completed before this year (10k yuan)"), formatting.number(completed_before)))
        following = TrackedItem.objects.select_related("plan").filter(previous_id=obj.pk).first()
        if following is not None:
            rows.append((_("Next year's record"), item_link(following)))
        return format_html(
            "<table class='duban-year-links'>{}</table>",
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )


class PublishGoalsMixin:
    """The 发布 action: draft goals copied by the roll-over become evaluated goals (and a draft filter)."""

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), "is_draft")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if is_bureau_staff(request.user):
            actions["publish_goals"] = self.get_action("publish_goals")
        return actions

    @admin.action(description=_("Publish (发布) the selected draft goals"))
    def publish_goals(self, request, queryset):
        count = rollover.publish_goals(queryset, request.user)
        self.message_user(
            request,
            ngettext("%(count)d draft goal published.", "%(count)d draft goals published.", count) % {"count": count},
            messages.SUCCESS,
        )
