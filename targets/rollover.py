"""The year roll-over (年度结转), the plan-wide half: the next plan, its draft goals, carried findings.

projects.rollover carries the project register and drives the whole roll-over (this app never
imports projects). Each step selects only what has not been carried yet (an item whose
`next_year` exists is done), so running the roll-over again changes nothing, and each step writes
in bulk: the new rows in a few INSERTs, their audit history in one bulk insert per model.

- Units and people belong to no plan: they carry as they are.
- Goals are copied as drafts (`is_draft`), linked by `previous`: the engine skips them until staff
  publish them (admin action 发布, `publish_goals`), after setting the new year's values.
- A milestone not reached by the end of the old plan goes on with its item; a reached one stays.
- An open finding of a carried item is copied onto the new item (linked by `previous`), and the old
  one is marked `carried` and closed on the old plan's last day: the old year's record (its
  escalations, rounds, notices, replies, timeline) stays as it was, and the new year has one
  open finding per problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from . import findings as finding_register
from .choices import FindingCause
from .engine import bulk
from .models import Checkpoint, Department, Finding, Milestone, Person, Plan, ProgressReport, Target, TrackedItem

BATCH = 1000
REASON = "年度结转"  # the history rows' change reason (stored data, like the change reasons of imports)

# Plan fields not copied from the old plan (the rest are its settings: thresholds, ladder, review …).
PLAN_OWN_FIELDS = {"id", "year", "title", "source", "period_start", "period_end"}


@dataclass
class Summary:
    """What a roll-over did (or, in a dry run, would do); counts per kind of row."""

    source_year: int
    target_year: int
    plan_created: bool = False
    units: int = 0
    people: int = 0
    goals: int = 0
    goals_linked: int = 0
    projects: int = 0
    projects_linked: int = 0
    projects_staying: int = 0
    milestones: int = 0
    milestones_staying: int = 0
    findings: int = 0
    # A dry run's items that would be carried (their open findings would go with them).
    would_carry: set[int] = field(default_factory=set)

    def lines(self, applied: bool) -> list[str]:
        verb = _("done") if applied else _("would do (dry run; --apply to do it)")
        plan = _("create plan %(year)s") if self.plan_created else _("plan %(year)s exists, kept")
        return [
            _("Roll-over %(source)s → %(target)s, %(verb)s:")
            % {"source": self.source_year, "target": self.target_year, "verb": verb},
            "  " + plan % {"year": self.target_year},
            "  "
            + _("units and people: %(units)s units, %(people)s people, shared by every plan (nothing to copy)")
            % {"units": self.units, "people": self.people},
            "  "
            + _("goals copied as drafts: %(n)s (already in the new plan, linked: %(linked)s)")
            % {"n": self.goals, "linked": self.goals_linked},
            "  "
            + _("projects carried (续建): %(n)s (already in the new plan, linked: %(linked)s); completed, staying: %(staying)s")
            % {"n": self.projects, "linked": self.projects_linked, "staying": self.projects_staying},
            "  "
            + _("milestones not yet reached, carried: %(n)s; reached, staying: %(staying)s")
            % {"n": self.milestones, "staying": self.milestones_staying},
            "  " + _("open findings carried: %(n)s") % {"n": self.findings},
        ]

    @property
    def changes(self) -> int:
        return (
            int(self.plan_created) + self.goals + self.goals_linked + self.projects + self.projects_linked
            + self.milestones + self.findings
        )  # fmt: skip


# --- the plan ----------------------------------------------------------------------------------------


def shifted(day: dt.date | None, years: int) -> dt.date | None:
    """The same day `years` later (29 February → 28 February)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_code(code: str, source: Plan, target: Plan) -> str:
    """Codes that carry the year ("2023-G49", "DEMO-2023-00001") take the new year; others stay."""
    return code.replace(str(source.year), str(target.year), 1)


def ensure_plan(source: Plan, year: int, summary: Summary, *, apply: bool) -> Plan | None:
    """The plan of `year`, created with the old plan's settings if absent (None in a dry run)."""
    plan = Plan.objects.filter(year=year).first()
    summary.units = Department.objects.count()
    summary.people = Person.objects.count()
    if plan is not None:
        return plan
    summary.plan_created = True
    if not apply:
        return None
    years = year - source.year
    settings = {f.attname: getattr(source, f.attname) for f in Plan._meta.concrete_fields if f.attname not in PLAN_OWN_FIELDS}
    title = source.title.replace(str(source.year), str(year)) if str(source.year) in source.title else f"{year}年工作计划"
    plan = Plan(
        year=year,
        title=title,
        period_start=shifted(source.period_start, years),
        period_end=shifted(source.period_end, years),
        **settings,
    )
    plan._change_reason = REASON
    plan.save()
    return plan


# --- items in general ----------------------------------------------------------------------------------


def not_carried(queryset: QuerySet) -> QuerySet:
    """Items of the old plan that have no next-year record yet."""
    return queryset.filter(next_year__isnull=True)


def link_existing(candidates: Sequence[TrackedItem], source: Plan, target: Plan | None) -> dict[int, int]:
    """{old id: new id} for candidates whose code already exists, unlinked, in the new plan (e.g. staff
    imported next year's ledger first): those are linked, not copied again."""
    if target is None or not candidates:
        return {}
    wanted = {next_code(item.code, source, target): item for item in candidates}
    found = TrackedItem.objects.filter(plan=target, kind=candidates[0].kind, code__in=list(wanted), previous__isnull=True)
    return {wanted[code].pk: pk for pk, code in found.values_list("pk", "code")}


def copy_of(obj, model, skip: Iterable[str] = ()) -> object:
    """A new unsaved `model` with obj's concrete field values except the pk, parent pointer and `skip`."""
    skip = {"id", "trackeditem_ptr_id", "created_at", "updated_at", *skip}
    return model(**{f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname not in skip})


def link_m2m(through, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Copy many-to-many rows (old item's links onto its new item, `pairs` = (new id, other id))."""
    rows = [through(**{left: a, right: b}) for a, b in pairs]
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def copy_cooperating(item_map: dict[int, int]) -> None:
    through = TrackedItem.cooperating_departments.through
    rows = through.objects.filter(trackeditem_id__in=list(item_map)).values_list("trackeditem_id", "department_id")
    link_m2m(through, "trackeditem_id", "department_id", ((item_map[i], d) for i, d in rows.iterator()))


def reached(end: dt.date) -> Q:
    """Milestones reached by the end of the old plan (an actual date on or before it)."""
    return Q(actual_date__isnull=False, actual_date__lte=end)


def carry_milestones(item_map: dict[int, int], source: Plan, summary: Summary, *, apply: bool) -> None:
    """Copy the milestones of newly carried items not reached by the old plan's end onto the new items."""
    end = source.period_end
    for start in range(0, len(item_map), 10 * BATCH):
        ids = list(item_map)[start : start + 10 * BATCH]
        milestones = Milestone.objects.filter(item_id__in=ids)
        summary.milestones_staying += milestones.filter(reached(end)).count()
        pending = milestones.exclude(reached(end)).order_by("item_id", "planned_date", "pk")
        if not apply:
            summary.milestones += pending.count()
            continue
        copies = []
        for milestone in pending.iterator(chunk_size=BATCH):
            copy = copy_of(milestone, Milestone, skip={"item_id", "actual_date", "fulfils_id"})
            copy.item_id = item_map[milestone.item_id]
            copy.actual_date = None
            copies.append(copy)
        created = Milestone.objects.bulk_create(copies, batch_size=BATCH)
        Milestone.history.bulk_history_create(created, batch_size=BATCH, default_change_reason=REASON)
        summary.milestones += len(created)


# --- goals --------------------------------------------------------------------------------------------


def latest_values(item_ids: Sequence[int], as_of: dt.date) -> dict[int, Decimal]:
    """{item id: its latest counted (approved) cumulative figure on or before as_of}."""
    values: dict[int, Decimal] = {}
    for start in range(0, len(item_ids), 10 * BATCH):
        part = item_ids[start : start + 10 * BATCH]
        items = TrackedItem.objects.filter(pk__in=part).with_latest_report(as_of).filter(latest_value__isnull=False)
        values.update(items.values_list("pk", "latest_value"))
    return values


def copy_goals(source: Plan, target: Plan | None, summary: Summary, *, apply: bool) -> dict[int, int]:
    """Copy the old plan's goals not carried yet as drafts of the new plan; {old id: new id} of those
    created or linked now (goals carried by an earlier run keep their link)."""
    goals = list(not_carried(Target.objects.filter(plan=source)).order_by("pk"))
    linked = link_existing(goals, source, target)
    summary.goals_linked += len(linked)
    fresh = [goal for goal in goals if goal.pk not in linked]
    summary.goals += len(fresh)
    if not apply:
        summary.would_carry.update(goal.pk for goal in fresh)
        carry_milestones({goal.pk: 0 for goal in fresh}, source, summary, apply=False)
        return {}
    for old_id, new_id in linked.items():
        TrackedItem.objects.filter(pk=new_id).update(previous_id=old_id)
    years = target.year - source.year
    last = latest_values([g.pk for g in fresh], source.period_end)
    copies = []
    for goal in fresh:
        copy = copy_of(goal, Target, skip={"previous_id", "parent_id"})
        copy.plan_id, copy.previous_id, copy.is_draft = target.pk, goal.pk, True
        copy.code = next_code(goal.code, source, target)
        copy.period_start = shifted(goal.period_start, years)
        copy.period_end = shifted(goal.period_end, years)
        copy.baseline_date = shifted(goal.baseline_date, years)
        if goal.pk in last:  # last year's figure is this year's baseline (基数)
            copy.baseline_value, copy.baseline_date = last[goal.pk], source.period_end
        copies.append(copy)
    bulk.insert_children(Target, copies, reason=REASON)
    created = {goal.pk: copy.pk for goal, copy in zip(fresh, copies, strict=True)}
    # Parent goals: the new copy of the old parent, where there is one.
    parents = carried_map(target)
    with_parent = []
    for goal, copy in zip(fresh, copies, strict=True):
        if goal.parent_id in parents:
            copy.parent_id = parents[goal.parent_id]
            with_parent.append(copy)
    Target.objects.bulk_update(with_parent, ["parent"], batch_size=BATCH)
    # Checkpoints a year on, as a starting point staff adjust.
    points = Checkpoint.objects.filter(item_id__in=list(created)).values_list("item_id", "date", "expected_value")
    Checkpoint.objects.bulk_create(
        [Checkpoint(item_id=created[i], date=shifted(d, years), expected_value=v) for i, d, v in points], batch_size=BATCH
    )
    copy_cooperating(created)
    carry_milestones(created, source, summary, apply=True)
    return {**linked, **created}


def carried_map(target: Plan | None) -> dict[int, int]:
    """{old id: new id} of every item of the new plan linked to last year's (this run's and earlier)."""
    if target is None:
        return {}
    return dict(TrackedItem.objects.filter(plan=target, previous__isnull=False).values_list("previous_id", "pk"))


def publish_goals(goals: QuerySet, user=None) -> int:
    """Publish draft goals (发布): the engine evaluates them from the next run. Returns how many."""
    drafts = list(goals.filter(is_draft=True))
    for goal in drafts:
        goal.is_draft = False
        goal._history_user = user
        goal._change_reason = _("Published")
        goal.save(update_fields=["is_draft", "updated_at"])
    return len(drafts)


# --- findings -----------------------------------------------------------------------------------------


def carried_findings(source: Plan, would_carry: Iterable[int] = ()) -> QuerySet:
    """Open findings of the old plan's items that have a next-year record (or would have, in a dry run)."""
    carried = Q(item__next_year__isnull=False) | Q(item_id__in=list(would_carry))
    return (
        Finding.objects.filter(carried, item__plan=source)
        .open()
        .exclude(Exists(Milestone.objects.filter(pk=OuterRef("milestone_id")).filter(reached(source.period_end))))
    )


FINDING_SKIP = {"item_id", "milestone_id", "round_id", "previous_id", "dedupe_key", "created_at"}


def carry_findings(source: Plan, summary: Summary, *, apply: bool) -> None:
    """Copy each open finding of a carried item onto its new item and mark the old one `carried`.

    A finding about a milestone that was reached by the year's end stays (it is for close-out in
    the old plan). A finding about a milestone goes to the carried copy of that milestone (same
    title, kind and planned date on the new item).
    """
    findings = carried_findings(source, summary.would_carry).select_related("milestone")
    if not apply:
        summary.findings += findings.count()
        return
    findings = list(findings.order_by("pk"))
    if not findings:
        return
    nexts = dict(TrackedItem.objects.filter(pk__in={f.item_id for f in findings}).values_list("pk", "next_year__pk"))
    new_milestones = {
        (m.item_id, m.title, m.kind, m.planned_date): m.pk for m in Milestone.objects.filter(item_id__in=list(nexts.values()))
    }
    copies = []
    for finding in findings:
        copy = copy_of(finding, Finding, skip=FINDING_SKIP)
        copy.item_id, copy.previous_id = nexts[finding.item_id], finding.pk
        if finding.milestone_id:
            m = finding.milestone
            copy.milestone_id = new_milestones.get((copy.item_id, m.title, m.kind, m.planned_date))
        if finding.cause == FindingCause.MANUAL:
            copy.dedupe_key = finding.dedupe_key  # unique only among open findings; the old one closes below
        else:
            copy.dedupe_key = Finding.key_for(copy.item_id, copy.cause, copy.milestone_id)
        copies.append(copy)
    created = finding_register.carry(findings, copies, source.period_end, reason=REASON, batch_size=BATCH)
    through = Finding.cooperating_departments.through
    new_of = {f.pk: c.pk for f, c in zip(findings, created, strict=True)}
    rows = through.objects.filter(finding_id__in=list(new_of)).values_list("finding_id", "department_id")
    link_m2m(through, "finding_id", "department_id", [(new_of[f], d) for f, d in rows])
    summary.findings += len(created)


# --- what the pages show -------------------------------------------------------------------------------


@dataclass
class LastYear:
    """The same goal or project in the previous plan, for its page: link target, figure, target value."""

    item: TrackedItem
    value: Decimal | None
    as_of: dt.date | None
    target_value: Decimal | None


def last_year(item: TrackedItem) -> LastYear | None:
    """Last year's record of an item and its final counted figure (its latest approved report in that plan)."""
    if not item.previous_id:
        return None
    previous = TrackedItem.objects.select_related("plan").get(pk=item.previous_id)
    report = (
        ProgressReport.objects.counted()
        .filter(item_id=previous.pk, as_of__lte=previous.plan.period_end, value__isnull=False)
        .order_by("-as_of")
        .values_list("value", "as_of")
        .first()
    )
    value, as_of = report if report else (None, None)
    return LastYear(item=previous, value=value, as_of=as_of, target_value=previous.target_value)
