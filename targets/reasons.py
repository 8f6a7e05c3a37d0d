"""The words of a status: short colour names, the coloured badge of a light, and the texts of
targets.engine.rules' reason codes, in the current language. The admin pages, the home page's figures,
the digests, the 督查通报 circular and the verdicts read them here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import formatting
from .choices import ItemKind, StatusChoice

# Short colour names for badges (绿 / 黄 / 红 / 蓝 / 灰 in Chinese).
LIGHT_LABELS = {
    StatusChoice.GREEN: pgettext_lazy("light", "Green"),
    StatusChoice.YELLOW: pgettext_lazy("light", "Yellow"),
    StatusChoice.RED: pgettext_lazy("light", "Red"),
    StatusChoice.BLUE: pgettext_lazy("light", "Blue"),
    StatusChoice.GREY: pgettext_lazy("light", "Grey"),
}
# Background, text colour.
LIGHT_COLOURS = {
    StatusChoice.GREEN: ("#2e7d32", "#fff"),
    StatusChoice.YELLOW: ("#f9c623", "#222"),
    StatusChoice.RED: ("#c62828", "#fff"),
    StatusChoice.BLUE: ("#1565c0", "#fff"),
    StatusChoice.GREY: ("#9e9e9e", "#fff"),
}


def badge(status: str | None):
    """A coloured badge for a light (a dash when there is none)."""
    if not status:
        return formatting.EMPTY
    background, colour = LIGHT_COLOURS.get(status, ("#777", "#fff"))
    return format_html(
        '<span class="duban-light duban-light-{}" style="display:inline-block;min-width:1.6em;padding:0 6px;'
        'border-radius:9px;text-align:center;background:{};color:{};font-weight:600">{}</span>',
        status,
        background,
        colour,
        LIGHT_LABELS.get(status, status),
    )


# Reason codes of targets.engine.rules, rendered with their parameters (a generic text for unknown codes).
REASONS = {
    "before_period": _("The period starts on %(period_start)s."),
    "before_first_statistics": _("Before the first statistics point: nothing to judge yet."),
    "no_schedule": _("No schedule to judge against."),
    "not_expected_yet": _("Nothing is expected yet."),
    "no_data": _("No figure reported."),
    "no_data_overdue": _("No figure reported although it was due on %(due)s."),
    "target_met": _("Target met."),
    "target_not_met_yet": _("Target not met yet."),
    "target_missed": _("Target missed at the end of the period."),
    "ahead": _("Ahead of schedule: %(actual)s against %(expected)s expected by %(judged_on)s."),
    "on_schedule": _("On schedule."),
    "behind_schedule": _("Behind schedule: %(actual)s against %(expected)s expected by %(judged_on)s (%(ratio)s)."),
    "well_behind_schedule": _("Well behind schedule: %(actual)s against %(expected)s expected by %(judged_on)s (%(ratio)s)."),
    "forecast_miss": _("On the path, but the period-end forecast %(forecast)s misses the target %(target)s."),
    "relation_holds": _("The reported figure meets the target."),
    "relation_fails": _("The reported figure %(actual)s does not meet the target %(target)s."),
    "no_milestone_date": _("No milestone has a date yet."),
    "milestone_due_soon": _("Milestone “%(title)s” is due on %(planned)s."),
    "milestone_overdue": _("Milestone “%(title)s” was due on %(planned)s: %(days)s days overdue."),
    "milestone_long_overdue": _("Milestone “%(title)s” was due on %(planned)s: %(days)s days overdue (long overdue)."),
    "milestone_past_period": _("Milestone “%(title)s” (due %(planned)s) was not done by the end of the period."),
    "report_missing": _("The progress report for %(periods)s is missing."),
    "reports_missing": _("%(count)s progress reports are missing: %(periods)s."),
    "override": _("Set by staff: %(text)s"),
    "target_missed_at_deadline": _("Target missed at the deadline: %(actual)s against %(target)s."),
    "floor_held": _("Stock held: %(actual)s against the required %(target)s."),
    "floor_breached": _("Stock below the required %(target)s: %(actual)s (checks below on %(dates)s)."),
    "indicative_fails": _("Indicative: the in-year figure %(actual)s does not meet the target %(target)s yet."),
    "reporting_lapse": _("Reports not filed on time (报送不及时) for %(periods)s; a later cumulative report covers them."),
}
GENERIC_REASON = _("Reason: %(code)s")


class _Params(dict):
    def __missing__(self, key):
        return formatting.EMPTY


def amount_text(item, value) -> str:
    if value in (None, ""):
        return formatting.EMPTY
    value = Decimal(str(value))
    target = getattr(item, "target", None) if item is not None and item.kind == ItemKind.GOAL else None
    if target is not None:
        return formatting.goal_amount(target, value)
    if item is not None and item.kind == ItemKind.PROJECT:
        return formatting.wan(value)
    return formatting.number(value)


def reason_text(reason: dict, item=None) -> str:
    """One stored reason ({"code": …, params…}) in the current language."""
    code = reason.get("code", "")
    params = _Params()
    for key, value in reason.items():
        if key in {"expected", "actual", "forecast", "target"}:
            params[key] = amount_text(item, value)
        elif key == "ratio":
            params[key] = formatting.percent(Decimal(str(value)) * 100) if value not in (None, "") else formatting.EMPTY
        elif key == "periods":
            params[key] = ", ".join(str(p)[:7] for p in value or [])
        elif key == "dates":
            params[key] = ", ".join(str(p) for p in value or [])
        elif key == "status":
            params[key] = LIGHT_LABELS.get(value, value)
        elif value is None:
            params[key] = formatting.EMPTY
        else:
            params[key] = value
    if code == "no_data" and reason.get("due"):
        code = "no_data_overdue"
    template = REASONS.get(code)
    if template is None:
        return str(GENERIC_REASON) % {"code": code}
    return str(template) % params
