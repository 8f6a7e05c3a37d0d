"""Escalation notices and monthly report reminders: the daily mails, each at most once.

    send_escalation_notices(as_of) -> NoticeSummary
    send_report_reminders(as_of) -> NoticeSummary

Escalation notices read the escalations the supervision run recorded (targets.Escalation) at level 2
(警示) and 3 (督办) of confirmed findings and tell the people that level names; the ledger key is
finding + level + person.

Report reminders go to the contacts of items still lacking a figure that is due, on each item's own
calendar (targets.engine.judging: monthly statistics by the plan's report day, quarterly and annual ones
after their publication lag, seasonal ones after each window): one before the due date
(DUBAN_REMINDER_BEFORE_DAYS before it, moved back to a working day: the 3rd for a deadline on the
5th) and one after it (the first working day after the due date: the 6th), the second copied to the
unit head. A run on a later day of the due date's month catches up a missed one, once. The ledger
key of a monthly figure is kind + person + month; a figure due on another date adds that date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from targets import item_kinds
from targets.choices import Cadence, FindingLevel, ReviewState
from targets.engine import judging
from targets.engine.evaluation import plan_thresholds
from targets.engine.schedule import report_due_date
from targets.findings import holiday_overrides
from targets.models import Checkpoint, Escalation, Person, Plan, ProgressReport, TrackedItem
from targets.querysets import open_finding

from .delivery import Breaker, Outgoing, deliver
from .digests import LEVELS, admin_url
from .emails import make_message
from .models import Delivery, DeliveryKind
from .preferences import muted_and_delegates

ONE_DAY = dt.timedelta(days=1)
# Escalations older than this are not notified any more (a ledger reset must not replay history).
NOTICE_WINDOW_DAYS = 30


@dataclass
class NoticeSummary:
    name: str
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    undeliverable: int = 0
    in_progress: int = 0
    # Shared by the run's notices and reminders: one unreachable mail server stops both.
    breaker: Breaker = field(default_factory=Breaker)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self) -> str:
        return (
            f"{self.name}: sent {self.sent}, already sent {self.skipped}, in progress {self.in_progress}, "
            f"failed {self.failed}, undeliverable {self.undeliverable}"
        )


def people_by_id(ids) -> dict[int, dict]:
    return {
        pk: {"id": pk, "name": name, "email": email, "department_id": dept}
        for pk, name, email, dept in Person.objects.filter(pk__in=set(ids)).values_list("pk", "name", "email", "department_id")
    }


# --- escalation notices ----------------------------------------------------------------------------


def send_escalation_notices(as_of: dt.date, breaker: Breaker | None = None) -> NoticeSummary:
    summary = NoticeSummary("escalation notices", breaker=breaker or Breaker())
    with translation.override(settings.LANGUAGE_CODE):
        rows = list(
            Escalation.objects.filter(
                open_finding("finding__"),
                level__gte=FindingLevel.WARNING,
                date__lte=as_of,
                date__gt=as_of - dt.timedelta(days=NOTICE_WINDOW_DAYS),
                # Escalation follows confirmation: never a notice for a finding staff have not confirmed.
                finding__confirmed_at__isnull=False,
            )
            .order_by("date", "finding_id", "level")
            .values(
                "finding_id",
                "level",
                "date",
                "reason",
                "recipients",
                "finding__item__code",
                "finding__item__title",
                "finding__deadline",
                "finding__opened_on",
                "finding__department__name",
            )
        )
    done = set(
        Delivery.objects.filter(kind=DeliveryKind.ESCALATION, finding_id__in={r["finding_id"] for r in rows}).values_list(
            "key", "status"
        )
    )
    finished = {key for key, status in done if status in ("sent", "undeliverable")}
    people = people_by_id(p["id"] for r in rows for p in r["recipients"] if p.get("id"))
    _muted, delegates = muted_and_delegates()
    for r in rows:
        for told in r["recipients"]:
            person_id = told.get("id")
            key = (
                f"{DeliveryKind.ESCALATION}:{person_id or told.get('email') or told.get('name')}:{r['finding_id']}:L{r['level']}"
            )
            if key in finished:
                summary.skipped += 1
                continue
            person = people.get(person_id) or {"id": None, "name": told.get("name", ""), "email": told.get("email", "")}
            ctx = {
                "row": r,
                "level_text": LEVELS.get(r["level"], str(r["level"])),
                "url": admin_url("targets_finding", r["finding_id"]),
                "days_open": (as_of - r["finding__opened_on"]).days,
                "named": person["name"],
            }
            if person_id in delegates:
                ctx["delegated_from"] = person["name"]
                person = delegates[person_id]
            outcome = deliver(
                Outgoing(
                    kind=DeliveryKind.ESCALATION,
                    key=key,
                    address=person["email"],
                    recipient_id=person["id"],
                    finding_id=r["finding_id"],
                    level=r["level"],
                    build=lambda person=person, ctx=ctx: make_message(
                        "escalation", [person["email"]], {**ctx, "recipient": person}
                    ),
                ),
                breaker=summary.breaker,
            )
            summary.count(outcome)
    return summary


# --- report reminders ------------------------------------------------------------------------------


def reminder_dates(month: dt.date, due_day: int, overrides=None) -> tuple[dt.date, dt.date, dt.date]:
    """(first reminder, deadline, second reminder) for the monthly report on ``month``."""
    return judging.reminder_dates(report_due_date(month, due_day), settings.DUBAN_REMINDER_BEFORE_DAYS, overrides)


@dataclass
class Reminder:
    """Figures for the month ``last`` due on ``due``, in one reminder phase, over the item calendars
    that have such a point (a quarterly or seasonal figure may be filed under any month of its window)."""

    last: dt.date
    due: dt.date
    late: bool
    monthly: bool  # due on the plan's monthly report day: the month's mail, keyed as before
    as_of: dt.date  # the date the figure is as of (a period ending inside the month ends there)
    windows: dict = field(default_factory=lambda: defaultdict(list))  # window's first month -> item filters


def due_reminders(plan: Plan, as_of: dt.date, due_day: int, overrides) -> list[Reminder]:
    """The figures of ``plan`` whose reminder falls on ``as_of``, on each item's own calendar
    (targets.engine.judging): three queries, the distinct calendars and the season windows."""
    owing = TrackedItem.objects.filter(plan=plan).owing_reports()
    calendars: list[tuple[Q, tuple]] = []
    for cadence, lag, start, end in (
        owing.exclude(target__cadence=Cadence.SEASONAL)
        .values_list("target__cadence", "target__publication_lag_days", "period_start", "period_end")
        .distinct()
    ):
        where = Q(period_start=start, period_end=end, target__publication_lag_days=lag)
        where &= Q(target__cadence=cadence) if cadence else (Q(target__cadence="") | Q(target__isnull=True))
        calendars.append((where, judging.points(cadence or "", start, end, due_day, lag)))
    window_ends: dict[int, list[dt.date]] = defaultdict(list)
    seasonal = owing.filter(target__cadence=Cadence.SEASONAL)
    for item_id, day in Checkpoint.objects.filter(item__in=seasonal).order_by("date").values_list("item_id", "date"):
        window_ends[item_id].append(day)
    for pk, lag, start, end in seasonal.values_list("pk", "target__publication_lag_days", "period_start", "period_end"):
        calendar = judging.points(Cadence.SEASONAL, start, end, due_day, lag, tuple(window_ends.get(pk, ())))
        calendars.append((Q(pk=pk), calendar))
    reminders: dict[tuple, Reminder] = {}
    for where, calendar in calendars:
        for point in calendar:
            phase = judging.reminder_phase(as_of, point.due, settings.DUBAN_REMINDER_BEFORE_DAYS, overrides)
            if phase is None:
                continue
            late = phase == "late"
            reminder = reminders.setdefault(
                (point.last, point.due, late),
                Reminder(point.last, point.due, late, judging.is_monthly_due(point, due_day), point.date),
            )
            reminder.as_of = max(reminder.as_of, point.date)
            reminder.windows[point.first].append(where)
    return sorted(reminders.values(), key=lambda r: (r.due, r.last, r.late))


def items_lacking_report(plan: Plan, reminder: Reminder) -> list[dict]:
    """Items on the reminder's calendars with no filed report for a month of their figure's window."""
    rows: dict[int, dict] = {}
    for first, filters in reminder.windows.items():
        # Filed: submitted or approved. A returned report is owed again, so its unit is reminded.
        reported = ProgressReport.objects.filter(item=OuterRef("pk"), period__gte=first, period__lte=reminder.last).exclude(
            review_state=ReviewState.RETURNED
        )
        which = Q()
        for where in filters:
            which |= where
        for r in (
            TrackedItem.objects.filter(plan=plan)
            .owing_reports()
            .filter(which)
            .exclude(Exists(reported))
            .values(
                "pk",
                "kind",
                "code",
                "title",
                "contact_id",
                "lead_department_id",
                "lead_department__name",
                "lead_department__head_id",
            )
        ):
            rows[r["pk"]] = r
    return sorted(rows.values(), key=lambda r: r["code"])


def send_report_reminders(as_of: dt.date, breaker: Breaker | None = None) -> NoticeSummary:
    summary = NoticeSummary("report reminders", breaker=breaker or Breaker())
    overrides = holiday_overrides()
    # Plans whose figures may still be reminded: an annual or quarterly figure is due months after
    # its period, and a month's first reminder may fall before the month ends (国庆).
    plans = Plan.objects.filter(
        period_start__lte=as_of + dt.timedelta(days=31), period_end__gte=as_of - dt.timedelta(days=LAG_HORIZON_DAYS)
    ).order_by("year")
    for plan in plans:
        due_day = plan_thresholds(plan).report_due_day
        for reminder in due_reminders(plan, as_of, due_day, overrides):
            remind(plan, reminder, summary)
    return summary


# The longest publication lag a reminder looks back over (a year's statistics published in spring).
LAG_HORIZON_DAYS = 400


def remind(plan: Plan, reminder: Reminder, summary: NoticeSummary) -> None:
    late = reminder.late
    kind = DeliveryKind.REMINDER_LATE if late else DeliveryKind.REMINDER
    rows = items_lacking_report(plan, reminder)
    by_person: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        who = r["contact_id"] or r["lead_department__head_id"]
        if who:
            r["url"] = admin_url(item_kinds.of(r["kind"]).admin, r["pk"])
            by_person[who].append(r)
    people = people_by_id([*by_person, *(r["lead_department__head_id"] for r in rows if r["lead_department__head_id"])])
    month = reminder.last
    period = month.strftime("%Y-%m")
    # A monthly figure keeps the month's key (no mail is sent again); a figure on its own calendar
    # (a lagged quarterly or annual statistic, a season window) adds its due date.
    suffix = "" if reminder.monthly else f":{reminder.due.isoformat()}"
    for person_id, items in sorted(by_person.items()):
        person = people[person_id]
        heads = sorted({people[i["lead_department__head_id"]]["email"] for i in items if i["lead_department__head_id"]} - {""})
        cc = [a for a in heads if a != person["email"]] if late else []
        ctx = {
            "recipient": person,
            "items": items,
            "month": month,
            "due": reminder.due,
            "as_of": reminder.as_of,
            "monthly": reminder.monthly,
            "late": late,
        }
        outcome = deliver(
            Outgoing(
                kind=kind,
                key=f"{kind}:{person_id}:{period}{suffix}",
                address=person["email"],
                recipient_id=person_id,
                period=period,
                build=lambda person=person, ctx=ctx, cc=cc: make_message("reminder", [person["email"]], ctx, cc=cc),
            ),
            breaker=summary.breaker,
        )
        summary.count(outcome)


def send_notices(as_of: dt.date) -> list[NoticeSummary]:
    breaker = Breaker()
    return [send_escalation_notices(as_of, breaker), send_report_reminders(as_of, breaker)]
