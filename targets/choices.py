"""Choice sets of the plan and tracking engine, in one place (labels translated via i18n)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    BUREAU_DIVISION = "bureau_division", _("Bureau division")
    DISTRICT_DEPARTMENT = "district_department", _("District department")
    TOWNSHIP = "township", _("Township or street")
    STATE_COMPANY = "state_company", _("State-owned company")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class ItemKind(models.TextChoices):
    GOAL = "goal", _("Goal")
    PROJECT = "project", _("Project")


class MetricKind(models.TextChoices):
    COUNT = "count", _("Count")
    AMOUNT = "amount", _("Amount")
    PERCENTAGE = "percentage", _("Percentage")
    TONNAGE = "tonnage", _("Tonnage")
    AREA = "area", _("Area")
    LENGTH = "length", _("Length")
    CAPACITY = "capacity", _("Capacity")
    GROWTH_RATE = "growth_rate", _("Growth rate")
    RANKING = "ranking", _("Ranking")
    MILESTONE = "milestone", _("Milestone (yes/no)")


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"
    EQ = "=", "="
    APPROX = "~", "≈"


class ScheduleMode(models.TextChoices):
    LINEAR = "linear", _("Time-proportional")
    CHECKPOINTS = "checkpoints", _("Explicit checkpoints")
    MILESTONES = "milestones", _("Milestone dates only")
    MANUAL = "manual", _("Manual")


class JudgingKind(models.TextChoices):
    """How a goal's value is judged (targets.engine.judging); blank on a goal: from its metric kind."""

    CUMULATIVE = "cumulative", _("Cumulative, with a deadline")
    STOCK = "stock", _("Stock level held at every check")
    LEVEL = "level", _("Level to reach (share, register size, year-end figure)")
    INDICATIVE = "indicative", _("Ranking or growth: indicative until the published figure")
    YES_NO = "yes_no", _("Yes/no with a date")


class Cadence(models.TextChoices):
    """When a goal's figure is due (targets.engine.judging); blank on a goal: monthly."""

    MONTHLY = "monthly", _("Monthly (January with February)")
    QUARTERLY = "quarterly", _("Quarterly")
    SEASONAL = "seasonal", _("Seasonal windows (the checkpoint dates)")
    ANNUAL = "annual", _("Annual (after the period)")
    EVENT = "event", _("On an event")


class Curve(models.TextChoices):
    """What a goal's expected path is; the checkpoint rows carry the named curves."""

    TIME = "time", _("Time-proportional (序时)")
    MONTHLY_PLAN = "monthly_plan", _("Monthly plan (checkpoints)")
    START_RATE = "start_rate", _("Start-rate curve (checkpoints)")
    SEASON_WINDOWS = "season_windows", _("Season windows (checkpoints)")
    QUARTER_SHARES = "quarter_shares", _("Quarter shares")
    DEADLINE = "deadline", _("The full target by the deadline")


class VerdictOutcome(models.TextChoices):
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    NOT_JUDGED = "not_judged", _("Not judged")


class ActualSource(models.TextChoices):
    REPORTED = "reported", _("Reported by hand")
    ROLLUP = "rollup", _("Computed from the project register")


class Rollup(models.TextChoices):
    """Plan goals computed from the project register (implemented in projects.rollups)."""

    MAJOR_PROJECTS = "major_projects", _("Major projects (≥ 50M yuan)")
    INDUSTRIAL_SHARE = "industrial_share", _("Industrial share of major projects (%)")
    # G15's 产业类 is ambiguous (domain.md A07): the alternatives staff may choose instead.
    INDUSTRIAL_SHARE_BY_INVESTMENT = "industrial_share_investment", _("Industrial share of major projects by investment (%)")
    INDUSTRY_SERVICES_SHARE = "industry_services_share", _("Industrial and services share of major projects (%)")
    INDUSTRY_SERVICES_SHARE_BY_INVESTMENT = (
        "industry_services_share_investment",
        _("Industrial and services share of major projects by investment (%)"),
    )
    NEW_STARTS = "new_starts", _("New starts of major projects in the period")
    DISTRICT_KEY_PROJECTS = "district_key_projects", _("District key projects (> 100M yuan)")
    KEY_TOTAL_INVESTMENT = "key_total_investment", _("Total investment of district key projects")
    KEY_ANNUAL_PLAN = "key_annual_plan", _("Annual planned investment of district key projects")
    STARTS_BY_Q1 = "starts_by_q1", _("Starts by the end of March")
    COMPLETIONS = "completions", _("Completions of key projects in the period")
    PROVINCIAL_KEY_PROJECTS = "provincial_key_projects", _("Provincial key projects")
    PROVINCIAL_MAJOR_INDUSTRIAL = "provincial_major_industrial", _("Provincial major industrial projects")
    CONCENTRATED_STARTS = "concentrated_starts", _("Projects in concentrated-start events")
    INVESTMENT_COMPLETION_RATE = "investment_completion_rate", _("Annual investment completion rate (%)")
    COMPLETED_INVESTMENT = "completed_investment", _("Completed investment of the register")


class MilestoneKind(models.TextChoices):
    APPROVAL = "approval", _("Approval")
    LAND = "land", _("Land")
    PLANNING_PERMIT = "planning_permit", _("Planning permit")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
    START = "start", _("Construction start")
    TOPPING_OUT = "topping_out", _("Topping out")
    COMPLETION = "completion", _("Completion")
    OPERATION = "operation", _("Put into operation")
    STATS_ENTRY = "stats_entry", _("Entry into statistics")
    LISTING = "listing", _("Listed in provincial or city plan")
    ISSUANCE = "issuance", _("Issued or published")
    OTHER = "other", _("Other")


class StatusChoice(models.TextChoices):
    """Traffic lights (红黄绿灯); values match targets.engine.facts.Status."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    BLUE = "blue", _("Blue (ahead)")
    GREY = "grey", _("Grey (nothing to judge)")


class ReviewState(models.TextChoices):
    """Where a progress report stands in the bureau's review (审核); only approved figures count."""

    SUBMITTED = "submitted", _("Submitted, awaiting review")
    APPROVED = "approved", _("Approved, counts")
    RETURNED = "returned", _("Returned for correction")


class FindingCause(models.TextChoices):
    RED = "red", _("Turned red")
    YELLOW_TWICE = "yellow_twice", _("Yellow at two consecutive month ends")
    MILESTONE_MISSED = "milestone_missed", _("Milestone missed")
    REPORTING_LAPSE = "reporting_lapse", _("Reports not filed on time")
    MANUAL = "manual", _("Entered by staff")


class ProblemCategory(models.TextChoices):
    """What kind of problem (问题类别) a finding or a project's blocker is about, in the bureau's words."""

    APPROVAL = "approval", _("Approvals")
    LAND = "land", _("Land and clearance")
    EARTHWORK = "earthwork", _("Earthwork disposal")
    FUNDING = "funding", _("Funding")
    FACTORS = "factors", _("Energy, environment and other factors")
    CONSTRUCTION = "construction", _("Site organisation")
    STATISTICS = "statistics", _("Statistics entry")
    REPORTING = "reporting", _("Progress reporting")
    OTHER = "other", _("Other")


class FindingSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Raised by a light")
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    MEETING = "meeting", _("Scheduling meeting")
    SELF_REPORTED = "self_reported", _("Self-reported by the unit")
    ASSIGNED = "assigned", _("Assigned from above")
    INSTRUCTION = "instruction", _("Leader's instruction")


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Rectification in progress")
    CLOSURE_REQUESTED = "closure_requested", _("Close-out requested")
    CLOSED = "closed", _("Closed out")
    DISMISSED = "dismissed", _("Dismissed")
    # An automatic finding no one confirmed whose item recovered: the run withdraws the draft.
    WITHDRAWN = "withdrawn", _("Withdrawn (back on track before confirmation)")
    # 年度结转: the item went on into next year's plan and so did the finding (its `later` copy).
    CARRIED = "carried", _("Carried into next year's plan")


OPEN_FINDING_STATES = (FindingState.OPEN, FindingState.IN_PROGRESS, FindingState.CLOSURE_REQUESTED)


def finding_key(item_id: int, cause: str, milestone_id: int | None = None) -> str:
    """The dedupe key: one open finding per item, cause and milestone (a partial unique constraint).

    Here rather than in targets.findings.rules so that targets.models can read it without loading
    the findings package (which imports the models)."""
    return f"{item_id}:{cause}:{milestone_id or 0}"


class FindingLevel(models.IntegerChoices):
    REMINDER = 1, _("Level 1: reminder")
    WARNING = 2, _("Level 2: warning")
    SUPERVISION = 3, _("Level 3: supervision order")


class ExtensionDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RoundKind(models.TextChoices):
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    MEETING = "meeting", _("Scheduling meeting")
    AUTOMATIC = "automatic", _("Automatic")


class MatterSource(models.TextChoices):
    """Where an assigned matter (交办事项) comes from; each value is also its finding's source."""

    INSTRUCTION = "instruction", _("Leader's instruction")
    MEETING = "meeting", _("Scheduling meeting")
    SITE_INSPECTION = "site_inspection", _("Site inspection")


class ReplyState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Sent back")


class RecheckResult(models.TextChoices):
    """The outcome of a 回头看 (re-check) some time after close-out."""

    HOLDS = "holds", _("Holds")
    RELAPSED = "relapsed", _("Relapsed")


class FindingEventKind(models.TextChoices):
    """A step on a finding's timeline (who, when, what)."""

    ASSIGNED = "assigned", _("Assigned")
    CONFIRMED = "confirmed", _("Confirmed")
    MEASURES = "measures", _("Measures entered")
    UPDATE = "update", _("Progress note")
    REPLY = "reply", _("Reply submitted")
    REPLY_ACCEPTED = "reply_accepted", _("Reply accepted")
    REPLY_RETURNED = "reply_returned", _("Reply sent back")
    CLOSURE_REQUESTED = "closure_requested", _("Close-out requested")
    CLOSURE_RETURNED = "closure_returned", _("Close-out request sent back")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    CLOSED = "closed", _("Closed out")
    DISMISSED = "dismissed", _("Dismissed")
    REOPENED = "reopened", _("Reopened")
    RELAPSED = "relapsed", _("Relapse found by supervision")
    RECHECK_HOLDS = "recheck_holds", _("Re-check: holds")
    RECHECK_RELAPSED = "recheck_relapsed", _("Re-check: relapsed")
    EVIDENCE = "evidence", _("Evidence added")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF")
    WORD = "word", _("Word document")
    EXCEL = "excel", _("Excel workbook")
