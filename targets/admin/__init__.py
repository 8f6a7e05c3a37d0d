"""Duban's admin for the plan and the supervision engine: each module registers its pages on import.

What lives where: plan (units, people, plans, baselines), goals, reports (progress reports and
milestones), findings with finding_lists, finding_actions, finding_inlines and extensions (the finding
register), rounds, runs (runs and overrides), matters, periods, verdicts, api (tokens). The building
blocks the project admin shares: helpers, item_inlines, list_filters, paging, status, rollover,
exports, evidence, loop.
"""

from . import (  # noqa: F401 - imported for their admin.register
    api,
    extensions,
    findings,
    goals,
    matters,
    periods,
    plan,
    reports,
    rounds,
    runs,
    verdicts,
)
