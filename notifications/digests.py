"""The weekly digest: gather the week's state in a fixed number of queries, then one mail per recipient.

    send_digests(as_of, dry_run=False) -> DigestSummary

Recipients and their content:
- a unit contact (a person named as an item's contact): the red and yellow items of their unit,
  its open findings, milestones due in the next 14 days and missing monthly reports;
- a responsible leader (包干领导): the same for the items they answer for, plus their findings at
  level 3 (督办);
- bureau staff: the district summary (colours and their change since last week, per unit, the ten
  worst items, findings opened / escalated / closed this week, dispatches due for a reply, and
  the recipients that could not be reached).

Each digest is keyed by kind, person and ISO week, so a run on any day of the week sends whatever
of that week is still unsent (a missed Monday is caught up) and never sends anything twice.
retry_digests(today) (daily) repeats the runs of this and last week that left digests unsent.

Over 400 lines on purpose: the gather (a fixed number of queries for every recipient) and the three
kinds of digest built from it are one piece: splitting them would split the query plan from its readers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from targets import item_kinds
from targets.choices import FindingLevel, ItemKind, ReviewState, StatusChoice
from targets.engine import judging
from targets.engine.supervision import open_after_period
from targets.findings import rechecks_due
from targets.formatting import goal_amount, wan
from targets.models import Dispatch, Escalation, Finding, Milestone, Person, Plan, ProgressReport, StatusSnapshot, SupervisionRun
from targets.reasons import reason_text

from . import robots
from .delivery import Breaker, Outgoing, deliver
from .emails import make_message
from .models import Delivery, DeliveryKind, DeliveryStatus, UnitWebhook
from .preferences import muted_and_delegates, unsubscribe_headers, unsubscribe_url

WORST = 10
LAGGING = (StatusChoice.RED, StatusChoice.YELLOW)
RANK = {StatusChoice.RED: 0, StatusChoice.YELLOW: 1}
COLOURS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", "grey": "灰灯"}
LEVELS = {1: "一级（提醒）", 2: "二级（警示）", 3: "三级（督办）"}
REPORT_CODES = {"report_missing", "reports_missing", "reporting_lapse"}


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def admin_url(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(f"admin:{name}_change", args=[pk])


@dataclass
class Week:
    """Everything the digests of one week show, gathered in a fixed number of queries."""

    as_of: dt.date
    run_dates: dict[int, dt.date] = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)  # red and yellow, worst first
    findings: list[dict] = field(default_factory=list)  # open, worst first
    awaiting: list[dict] = field(default_factory=list)  # automatic findings staff have not confirmed, oldest first
    returned: list[dict] = field(default_factory=list)  # reports staff returned (审核), with the reason
    to_review: int = 0  # reports submitted and awaiting review
    milestones: list[dict] = field(default_factory=list)  # due soon (the plans' due_soon_days; a reminder)
    due_soon_days: int = 14  # the longest of the plans' reminder windows, for the heading
    counts: Counter = field(default_factory=Counter)
    counts_before: Counter = field(default_factory=Counter)
    per_unit: list[dict] = field(default_factory=list)
    opened: int = 0
    escalated: int = 0
    closed: int = 0
    dispatches: list[dict] = field(default_factory=list)
    rechecks: list[dict] = field(default_factory=list)  # 回头看 due within the week (or overdue)
    contacts: dict[int, dict] = field(default_factory=dict)  # person id → name, email, department
    leaders: dict[int, dict] = field(default_factory=dict)
    staff: list[dict] = field(default_factory=list)
    index: dict = field(default_factory=dict)  # (list name, mode) → owner → rows; see mine()


def as_item(row: dict) -> SimpleNamespace:
    """Enough of an item for the formatting helpers (a goal's unit, 亿元 or not; projects in 万元)."""
    target = SimpleNamespace(
        show_in_yi=row["target__show_in_yi"], unit=row["target__unit"], metric_kind=row["target__metric_kind"]
    )
    return SimpleNamespace(kind=row["kind"], target=target if row["kind"] == ItemKind.GOAL else None)


def amount(row: dict, value) -> str:
    item = as_item(row)
    return goal_amount(item.target, value) if item.target is not None else wan(value)


def gather(as_of: dt.date) -> Week:
    with translation.override(settings.LANGUAGE_CODE):
        return _gather(as_of)


def _gather(as_of: dt.date) -> Week:
    week = Week(as_of=as_of)
    # The plans the daily job evaluates: those under way, and earlier ones still awaiting final verdicts.
    still_open = [plan.pk for plan in open_after_period(as_of)]
    under_way = Q(period_start__lte=as_of, period_end__gte=as_of) | Q(pk__in=still_open)
    windows = dict(Plan.objects.filter(under_way).values_list("pk", "due_soon_days"))
    plans = list(windows)
    week.due_soon_days = max(windows.values(), default=week.due_soon_days)
    # The latest run on or before the day, per plan, and the one a week before it.
    runs = list(SupervisionRun.objects.filter(plan__in=plans, as_of__lte=as_of).values_list("plan_id", "as_of", "counts"))
    latest: dict[int, tuple[dt.date, dict]] = {}
    for plan_id, day, counts in runs:
        if plan_id not in latest or day > latest[plan_id][0]:
            latest[plan_id] = (day, counts)
    week.run_dates = {plan_id: day for plan_id, (day, _c) in latest.items()}
    for _day, counts in latest.values():
        week.counts.update(counts)
    for plan_id, (day, _c) in latest.items():
        earlier = [(d, c) for p, d, c in runs if p == plan_id and d <= day - dt.timedelta(days=7)]
        if earlier:
            week.counts_before.update(max(earlier, key=lambda dc: dc[0])[1])

    if latest:
        which = Q()
        for plan_id, day in week.run_dates.items():
            which |= Q(item__plan_id=plan_id, date=day)
        rows = StatusSnapshot.objects.filter(which, status__in=LAGGING).values(
            "item_id", "status", "gap", "ratio", "reasons", "item__kind", "item__code", "item__title",
            "item__lead_department_id", "item__lead_department__name", "item__lead_department__short_name",
            "item__contact_id", "item__responsible_leader_id",
            "item__target__show_in_yi", "item__target__unit", "item__target__metric_kind",
        )  # fmt: skip
        for r in rows:
            row = {k.removeprefix("item__"): v for k, v in r.items()}
            row["unit"] = row["lead_department__short_name"] or row["lead_department__name"] or "—"
            row["colour"] = COLOURS.get(row["status"], row["status"])
            row["gap_text"] = amount(row, row["gap"]) if row["gap"] is not None and row["gap"] > 0 else ""
            item = as_item(row)
            # Joined with "；" in the templates, so each sentence drops its own full stop.
            row["reason_texts"] = [str(reason_text(reason, item)).rstrip("。.") for reason in row["reasons"]]
            row["missing_reports"] = [
                reason_text(reason, item) for reason in row["reasons"] if reason.get("code") in REPORT_CODES
            ]
            row["url"] = admin_url(item_kinds.of(row["kind"]).admin, row["item_id"])
            week.items.append(row)
    week.items.sort(key=lambda r: (RANK.get(r["status"], 9), -(r["gap"] or Decimal(0)), r["ratio"] or Decimal(0), r["code"]))

    # Draft goals (year roll-over, not yet published) are left out of the digests.
    for r in Finding.objects.filter(item__plan__in=plans, item__is_draft=False).open().values(
        "pk", "item_id", "item__code", "item__title", "cause", "level", "deadline", "opened_on", "department_id",
        "contact_id", "responsible_leader_id", "days_overdue", "confirmed_at",
    ):  # fmt: skip
        r["overdue_days"] = max((as_of - r["deadline"]).days, 0)
        r["level_text"] = LEVELS.get(r["level"], str(r["level"]))
        r["url"] = admin_url("targets_finding", r["pk"])
        # Provisional (待确认): the unit sees it marked so; staff see it in their list to confirm.
        r["awaiting"] = r["confirmed_at"] is None
        r["days_waiting"] = (as_of - r["opened_on"]).days
        week.findings.append(r)
    week.findings.sort(key=lambda r: (-r["level"], -r["overdue_days"], r["deadline"], r["pk"]))
    week.awaiting = sorted((r for r in week.findings if r["awaiting"]), key=lambda r: (r["opened_on"], r["pk"]))

    for r in ProgressReport.objects.filter(item__plan__in=plans, review_state=ReviewState.RETURNED).values(
        "pk", "as_of", "review_comment", "item__code", "item__title", "item__lead_department_id", "item__contact_id",
        "item__responsible_leader_id",
    ):  # fmt: skip
        r["lead_department_id"], r["contact_id"] = r["item__lead_department_id"], r["item__contact_id"]
        r["responsible_leader_id"] = r["item__responsible_leader_id"]
        r["url"] = admin_url("targets_progressreport", r["pk"])
        week.returned.append(r)
    week.returned.sort(key=lambda r: (r["item__code"], r["as_of"]))
    week.to_review = ProgressReport.objects.filter(item__plan__in=plans).awaiting_review().count()

    due_soon = Q(pk__in=[])
    for plan_id, days in windows.items():
        due_soon |= Q(item__plan_id=plan_id) & judging.due_soon_q(as_of, days)
    for r in Milestone.objects.filter(due_soon, item__is_draft=False).values("pk", "title", "planned_date", "item_id", "item__code", "item__title", "item__lead_department_id",
             "item__contact_id", "item__responsible_leader_id"):  # fmt: skip
        r["days_left"] = (r["planned_date"] - as_of).days
        r["lead_department_id"], r["contact_id"] = r["item__lead_department_id"], r["item__contact_id"]
        r["responsible_leader_id"] = r["item__responsible_leader_id"]
        r["url"] = admin_url("targets_milestone", r["pk"])
        week.milestones.append(r)
    week.milestones.sort(key=lambda r: (r["planned_date"], r["pk"]))

    start = as_of - dt.timedelta(days=as_of.weekday())
    week.opened = Finding.objects.filter(item__plan__in=plans, opened_on__gte=start, opened_on__lte=as_of).count()
    week.escalated = Escalation.objects.filter(
        finding__item__plan__in=plans, level__gte=FindingLevel.WARNING, date__gte=start, date__lte=as_of
    ).count()
    week.closed = Finding.objects.filter(item__plan__in=plans, closed_on__gte=start, closed_on__lte=as_of).count()
    for r in Dispatch.objects.filter(
        round__plan__in=plans, replied_on__isnull=True, reply_due__isnull=False, reply_due__lte=as_of + dt.timedelta(days=7)
    ).values("pk", "number", "reply_due", "department__name"):
        r["url"] = admin_url("targets_dispatch", r["pk"])
        week.dispatches.append(r)
    week.dispatches.sort(key=lambda r: (r["reply_due"], r["number"]))
    for r in rechecks_due(as_of + dt.timedelta(days=7), Finding.objects.filter(item__plan__in=plans)).values(
        "pk", "item__code", "item__title", "recheck_due", "closed_on", "department__name"
    ):
        r["url"] = admin_url("targets_finding", r["pk"])
        week.rechecks.append(r)
    week.rechecks.sort(key=lambda r: (r["recheck_due"], r["pk"]))

    people = Person.objects.filter(active=True).filter(contact_items__plan__in=plans).distinct()
    for pk, name, email, dept in people.values_list("pk", "name", "email", "department_id"):
        week.contacts[pk] = {"id": pk, "name": name, "email": email, "department_id": dept}
    leaders = Person.objects.filter(active=True).filter(led_items__plan__in=plans).distinct()
    for pk, name, email, dept in leaders.values_list("pk", "name", "email", "department_id"):
        week.leaders[pk] = {"id": pk, "name": name, "email": email, "department_id": dept}
    week.staff = staff_recipients()

    per_unit: dict[str, Counter] = defaultdict(Counter)
    for row in week.items:
        per_unit[row["unit"]][row["status"]] += 1
    week.per_unit = sorted(
        ({"unit": unit, "red": c["red"], "yellow": c["yellow"]} for unit, c in per_unit.items()),
        key=lambda u: (-u["red"], -u["yellow"], u["unit"]),
    )
    return week


def owner(row: dict, mode: str):
    if mode == "leader":
        return row.get("responsible_leader_id")
    if mode == "contact":
        return row.get("contact_id")
    return row.get("lead_department_id") or row.get("department_id")


def mine(week: Week, name: str, person: dict, *, role: str) -> list[dict]:
    """The rows a unit contact (their unit's) or a leader (the items they answer for) sees.

    Rows are grouped once per list and mode, so picking a recipient's rows is a dict lookup
    (2,000 recipients over thousands of rows stay linear).
    """
    if role == "leader":
        mode, wanted = "leader", person["id"]
    elif person["department_id"] is None:
        mode, wanted = "contact", person["id"]
    else:
        mode, wanted = "unit", person["department_id"]
    index = week.index.get((name, mode))
    if index is None:
        index = defaultdict(list)
        for row in getattr(week, name):
            index[owner(row, mode)].append(row)
        week.index[(name, mode)] = index
    return index.get(wanted, []) if wanted is not None else []


def person_digest(week: Week, person: dict, role: str) -> dict:
    items = mine(week, "items", person, role=role)
    findings = mine(week, "findings", person, role=role)
    if role == "leader":
        findings = [f for f in findings if f["level"] >= FindingLevel.SUPERVISION]
    milestones = mine(week, "milestones", person, role=role)
    missing = [r for r in items if r["missing_reports"]]
    returned = mine(week, "returned", person, role=role) if role != "leader" else []
    return {
        "person": person,
        "role": role,
        "items": items,
        "red": sum(1 for r in items if r["status"] == StatusChoice.RED),
        "yellow": sum(1 for r in items if r["status"] == StatusChoice.YELLOW),
        "findings": findings,
        "milestones": milestones,
        "due_soon_days": week.due_soon_days,
        "missing": missing,
        "returned": returned,
        "empty": not (items or findings or milestones or returned),
    }


def staff_digest(week: Week, undeliverable: list[dict]) -> dict:
    colours = [
        {
            "name": COLOURS[c],
            "code": c,
            "count": week.counts.get(c, 0),
            "change": week.counts.get(c, 0) - week.counts_before.get(c, 0),
        }
        for c in ("red", "yellow", "green", "blue", "grey")
    ]
    ctx = {
        "colours": colours,
        "per_unit": week.per_unit,
        "worst": week.items[:WORST],
        "opened": week.opened,
        "escalated": week.escalated,
        "closed": week.closed,
        "dispatches": week.dispatches,
        "rechecks": week.rechecks,
        "undeliverable": undeliverable,
        "awaiting": week.awaiting[:WORST],
        "awaiting_count": len(week.awaiting),
        "to_review": week.to_review,
    }
    ctx["empty"] = not (
        week.items
        or week.opened
        or week.escalated
        or week.closed
        or week.dispatches
        or week.rechecks
        or undeliverable
        or week.awaiting
        or week.to_review
    )
    return ctx


@dataclass
class DigestSummary:
    week: str
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    undeliverable: int = 0
    empty: int = 0
    muted: int = 0
    in_progress: int = 0
    planned: list[str] = field(default_factory=list)
    breaker: Breaker = field(default_factory=Breaker)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def ok(self) -> bool:
        """False when something could not be sent (the command then exits non-zero)."""
        return not self.failed and not self.breaker.open

    def line(self) -> str:
        text = (
            f"digests {self.week}: sent {self.sent}, already sent {self.skipped}, in progress {self.in_progress}, "
            f"failed {self.failed}, undeliverable {self.undeliverable}, empty {self.empty}, muted {self.muted}"
        )
        if self.breaker.open:
            text += f"; mail server unreachable, the rest not attempted ({self.breaker.error})"
        return text


def staff_recipients() -> list[dict]:
    """Active bureau staff (局机关督办人员) with the address of their person record or their account."""
    staff = get_user_model().objects.filter(is_active=True, groups__name=settings.DUBAN_BUREAU_STAFF_GROUP).distinct()
    people = []
    for pk, username, email, person_id, person_name, person_email in staff.values_list(
        "pk", "username", "email", "person__id", "person__name", "person__email"
    ):
        name = person_name or username
        people.append({"user_id": pk, "id": person_id, "name": name, "email": person_email or email})
    return sorted(people, key=lambda s: s["user_id"])


KINDS = {"unit": DeliveryKind.DIGEST_UNIT, "leader": DeliveryKind.DIGEST_LEADER, "staff": DeliveryKind.DIGEST_STAFF}


def send_digests(as_of: dt.date, *, dry_run: bool = False, breaker: Breaker | None = None) -> DigestSummary:
    week = gather(as_of)
    period = iso_week(as_of)
    summary = DigestSummary(week=period, breaker=breaker or Breaker())
    muted, delegates = muted_and_delegates()

    plans: list[tuple[str, dict, dict]] = []  # (role, person, context)
    for role, people in (("unit", week.contacts), ("leader", week.leaders)):
        for person in sorted(people.values(), key=lambda p: p["id"]):
            ctx = person_digest(week, person, role)
            if ctx["empty"]:
                summary.empty += 1
                continue
            if role == "unit" and person["id"] in muted:
                summary.muted += 1
                continue
            if role == "leader" and person["id"] in delegates:
                # A statutory digest goes to the delegate that staff named, in the leader's name.
                ctx["delegated_from"] = person["name"]
                person = delegates[person["id"]]
            plans.append((role, person, ctx))

    undeliverable = [
        {"name": p["name"], "role": "单位联络人" if role == "unit" else "包干领导"} for role, p, _ctx in plans if not p["email"]
    ]
    staff_ctx = staff_digest(week, undeliverable)
    if staff_ctx["empty"]:
        summary.empty += len(week.staff)
    else:
        plans.extend(("staff", s, staff_ctx) for s in week.staff)

    for role, person, ctx in plans:
        kind = KINDS[role]
        who = person["id"] if person.get("id") else f"u{person['user_id']}"
        key = f"{kind}:{who}:{period}"
        if dry_run:
            summary.planned.append(f"{key} → {person['email'] or '无法送达'} ({person['name']})")
            continue
        outcome = deliver(
            Outgoing(
                kind=kind,
                key=key,
                address=person["email"],
                recipient_id=person.get("id"),
                period=period,
                build=lambda person=person, ctx=ctx, kind=kind: build_digest(week, person, ctx, kind),
            ),
            breaker=summary.breaker,
        )
        summary.count(outcome)
    send_to_robots(week, period, summary, dry_run=dry_run)
    return summary


def send_to_robots(week: Week, period: str, summary: DigestSummary, *, dry_run: bool) -> None:
    """Each unit's digest to its active group robots (企业微信 / 钉钉), keyed per robot and week."""
    hooks = UnitWebhook.objects.filter(active=True, department__active=True).order_by("pk")
    for hook in hooks.values("pk", "department_id", "department__name", "department__short_name", "platform", "url", "secret"):
        hook["unit"] = hook["department__short_name"] or hook["department__name"]
        ctx = person_digest(week, {"id": None, "department_id": hook["department_id"]}, "unit")
        if ctx["empty"]:
            continue
        key = f"{DeliveryKind.WEBHOOK_DIGEST}:{hook['pk']}:{period}"
        if dry_run:
            summary.planned.append(f"{key} → {hook['platform']} ({hook['unit']})")
            continue
        ctx = {**ctx, "unit": hook["unit"], "as_of": week.as_of, "week": period}
        outcome = deliver(
            Outgoing(
                kind=DeliveryKind.WEBHOOK_DIGEST,
                key=key,
                address=f"{hook['platform']}:{hook['pk']}",
                period=period,
                build=lambda hook=hook, ctx=ctx: robots.build(hook, ctx),
                transport=robots.post,
            )
        )
        summary.count(outcome)


DIGEST_KINDS = (DeliveryKind.DIGEST_UNIT, DeliveryKind.DIGEST_LEADER, DeliveryKind.DIGEST_STAFF, DeliveryKind.WEBHOOK_DIGEST)


def weeks_to_retry(today: dt.date) -> list[dt.date]:
    """The runs to repeat, as the Mondays of their weeks: last week's and this week's, when some of
    their digests are still unsent (failed, or pending: a run killed mid-send)."""
    mondays = []
    for day in (today - dt.timedelta(days=7), today):
        unsent = Delivery.objects.filter(
            kind__in=DIGEST_KINDS, period=iso_week(day), status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
        )
        if unsent.exists():
            mondays.append(day - dt.timedelta(days=day.weekday()))
    return mondays


def retry_digests(today: dt.date) -> list[DigestSummary]:
    """Send what the runs of this and last week could not (the daily schedule, until all are sent).

    A whole run is repeated, not only its unsent rows: a run killed mid-send never created the rows
    of the recipients after the one it was sending. The ledger keeps every sent digest from going
    out again; a claim younger than the lease is left to its worker ("in progress")."""
    breaker = Breaker()
    return [send_digests(as_of, breaker=breaker) for as_of in weeks_to_retry(today)]


def build_digest(week: Week, person: dict, ctx: dict, kind: str):
    name = "digest-staff" if kind == DeliveryKind.DIGEST_STAFF else "digest"
    headers = {}
    unsubscribe = ""
    if kind == DeliveryKind.DIGEST_UNIT and person.get("id"):
        unsubscribe = unsubscribe_url(person["id"], kind)
        headers = unsubscribe_headers(unsubscribe)
    context = {**ctx, "recipient": person, "as_of": week.as_of, "week": iso_week(week.as_of), "unsubscribe_url": unsubscribe}
    return make_message(name, [person["email"]], context, headers=headers)
