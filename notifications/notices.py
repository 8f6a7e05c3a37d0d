"""Escalation notices and monthly report reminders: the daily mails, each at most once.

    send_escalation_notices(as_of) -> NoticeSummary
    send_report_reminders(as_of) -> NoticeSummary

Escalation notices read the escalations the supervision run recorded (targets.Escalation) at level 2
(警示) and 3 (督办) of confirmed findings and tell the people that level names; the ledger key is
finding + level + person.

Report reminders go to the contacts of items still lacking the previous month's report: one before
the deadline (DUBAN_REMINDER_BEFORE_DAYS before it, moved back to a working day: the 3rd for a
deadline on the 5th) and one after it (the first working day after the deadline: the 6th), the
second copied to the unit head. A run on a later day catches up a missed one, once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import translation

from targets import judging
from targets.choices import OPEN_FINDING_STATES, Cadence, FindingLevel, ReviewState
from targets.evaluation import plan_thresholds
from targets.findings import holiday_overrides
from targets.models import Checkpoint, Escalation, Person, Plan, ProgressReport, TrackedItem
from targets.schedule import add_months, month_start, report_due_date
from targets.workdays import add_workdays, is_workday

from .delivery import Breaker, Outgoing, deliver
from .digests import ITEM_ADMIN, LEVELS, admin_url
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
                level__gte=FindingLevel.WARNING,
                date__lte=as_of,
                date__gt=as_of - dt.timedelta(days=NOTICE_WINDOW_DAYS),
                finding__state__in=OPEN_FINDING_STATES,
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


# --- monthly report reminders ----------------------------------------------------------------------


def reminder_dates(month: dt.date, due_day: int, overrides=None) -> tuple[dt.date, dt.date, dt.date]:
    """(first reminder, deadline, second reminder) for the report on ``month``."""
    due = report_due_date(month, due_day)
    before = due - dt.timedelta(days=settings.DUBAN_REMINDER_BEFORE_DAYS)
    # Moved back to a working day: before a long holiday (国庆) that is the last day before it.
    while not is_workday(before, overrides):
        before -= ONE_DAY
    after = add_workdays(due + ONE_DAY, 0, overrides)
    return before, due, after


def items_lacking_report(plan: Plan, month: dt.date) -> list[dict]:
    """Items that owe a report for ``month`` on their cadence and have none (targets.judging; one
    query, plus one for the season windows of seasonal goals)."""
    month_end = add_months(month, 1) - ONE_DAY
    # Filed: submitted or approved. A returned report is owed again, so its unit is reminded.
    reported = ProgressReport.objects.filter(item=OuterRef("pk"), period=month).exclude(review_state=ReviewState.RETURNED)
    rows = list(
        TrackedItem.objects.filter(plan=plan, period_start__lte=month_end, period_end__gte=month)
        .filter(judging.owes_reports_q())
        .exclude(Exists(reported))
        .order_by("code")
        .values(
            "pk",
            "kind",
            "code",
            "title",
            "contact_id",
            "lead_department_id",
            "lead_department__name",
            "lead_department__head_id",
            "period_start",
            "period_end",
            "target__cadence",
            "target__publication_lag_days",
        )
    )
    seasonal = [r["pk"] for r in rows if r["target__cadence"] == Cadence.SEASONAL]
    window_ends: dict[int, list[dt.date]] = defaultdict(list)
    for item_id, day in Checkpoint.objects.filter(item_id__in=seasonal).order_by("date").values_list("item_id", "date"):
        window_ends[item_id].append(day)
    due_this_month = []
    for r in rows:
        calendar = judging.points(
            r["target__cadence"] or "",
            r["period_start"],
            r["period_end"],
            plan.report_due_day,
            r["target__publication_lag_days"],
            tuple(window_ends.get(r["pk"], ())),
        )
        if any(point.last == month for point in calendar):
            due_this_month.append(r)
    return due_this_month


def send_report_reminders(as_of: dt.date, breaker: Breaker | None = None) -> NoticeSummary:
    summary = NoticeSummary("report reminders", breaker=breaker or Breaker())
    overrides = holiday_overrides()
    # The report due this month, and this month's own report (its first reminder falls in this
    # month when a holiday precedes the deadline, e.g. 28 September for the 5 October deadline).
    for month in (add_months(month_start(as_of), -1), month_start(as_of)):
        remind_for_month(month, as_of, overrides, summary)
    return summary


def remind_for_month(month: dt.date, as_of: dt.date, overrides, summary: NoticeSummary) -> None:
    for plan in Plan.objects.filter(period_start__lte=month, period_end__gte=month).order_by("year"):
        thresholds = plan_thresholds(plan)
        if month.month < judging.FIRST_STATISTICS_MONTH:
            continue  # January is reported with February
        before, due, after = reminder_dates(month, thresholds.report_due_day, overrides)
        if before <= as_of <= due:
            kind, late = DeliveryKind.REMINDER, False
        elif as_of >= after and as_of.month == due.month:
            kind, late = DeliveryKind.REMINDER_LATE, True
        else:
            continue
        rows = list(items_lacking_report(plan, month))
        by_person: dict[int, list[dict]] = defaultdict(list)
        for r in rows:
            who = r["contact_id"] or r["lead_department__head_id"]
            if who:
                r["url"] = admin_url(ITEM_ADMIN.get(r["kind"], "targets_trackeditem"), r["pk"])
                by_person[who].append(r)
        people = people_by_id([*by_person, *(r["lead_department__head_id"] for r in rows if r["lead_department__head_id"])])
        period = month.strftime("%Y-%m")
        for person_id, items in sorted(by_person.items()):
            person = people[person_id]
            heads = sorted(
                {people[i["lead_department__head_id"]]["email"] for i in items if i["lead_department__head_id"]} - {""}
            )
            cc = [a for a in heads if a != person["email"]] if late else []
            ctx = {"recipient": person, "items": items, "month": month, "due": due, "late": late}
            outcome = deliver(
                Outgoing(
                    kind=kind,
                    key=f"{kind}:{person_id}:{period}",
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
