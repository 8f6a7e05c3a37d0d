"""The finding register (督办事项) as one service: the only writer of a finding's state.

The supervision run, the admin, the API and the imports change a finding only through the functions
below (``from targets import findings``; ``findings.confirm(...)``). Read in this order:

- rules: the pure decisions (which findings the statuses call for, the escalation ladder, what a run
  does with a recovered item, who may work on, answer or confirm a finding). Tables without a
  database: targets/tests/test_finding_rules.py.
- guards: the checks every state change makes (state, staff, a required text, who may) and the
  holiday calendar its working-day deadlines read.
- events: log() writes one step of a finding's timeline (a FindingEvent), timeline() reads every
  step back.
- upkeep: the supervision run's side: maintain() opens, reopens relapses, marks ready to close,
  withdraws unconfirmed drafts and escalates, once per evaluated date.
- actions: the people's side on the register: enter by hand, confirm, measures, progress notes,
  close-out requests, 销号, dismissal, extensions, the year roll-over's carry.
- followup: the people's side of the 督办 loop: assigned matters, written replies and their review,
  sending a close-out request back, reopening, re-checks (回头看).
- rounds: supervision rounds (督查轮次) that freeze the three lists, and the notices sent to units.
- matter_import: assigned matters from an .xlsx, each opened through followup.assign.

Inside the package the modules import each other directly, one way (rules <- guards, events <-
followup <- actions, upkeep; followup <- matter_import; rounds beside them), never this package, so
there is no circle; this module only re-exports. Docs: docs/findings.md, docs/findings-loop.md.
"""

from .actions import (
    add_update,
    carry,
    close_out,
    confirm,
    decide_extension,
    dismiss,
    enter_by_hand,
    manual_initial,
    record_measures,
    request_closure,
    request_extension,
)
from .events import log, timeline
from .followup import (
    assign,
    matter_description,
    move_recheck,
    rechecks_due,
    record_recheck,
    reopen,
    reopen_closed,
    return_closure,
    review_reply,
    schedule_recheck,
    submit_reply,
)
from .guards import holiday_overrides, may_answer, may_confirm, may_work_on
from .upkeep import Outcome, Texts, describe, escalate, maintain, mark_ready, open_findings, reopen_relapses, withdraw

__all__ = [
    "Outcome",
    "Texts",
    "add_update",
    "assign",
    "carry",
    "close_out",
    "confirm",
    "decide_extension",
    "describe",
    "dismiss",
    "enter_by_hand",
    "escalate",
    "holiday_overrides",
    "log",
    "maintain",
    "manual_initial",
    "mark_ready",
    "matter_description",
    "may_answer",
    "may_confirm",
    "may_work_on",
    "move_recheck",
    "open_findings",
    "rechecks_due",
    "record_measures",
    "record_recheck",
    "reopen",
    "reopen_closed",
    "reopen_relapses",
    "request_closure",
    "request_extension",
    "return_closure",
    "review_reply",
    "schedule_recheck",
    "submit_reply",
    "timeline",
    "withdraw",
]
