"""Duban's admin for the plan and the supervision engine: each module registers its pages on import."""

from . import api, findings, matters, periods, reports, verdicts  # noqa: F401 - imported for their admin.register
