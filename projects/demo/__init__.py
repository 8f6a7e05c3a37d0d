"""A synthetic register of major projects for demos and load tests (manage.py seed_demo).

The generator builds unsaved model instances from seeded random streams; `seed_register` inserts them
in chunks, one transaction per chunk, with bulk inserts. Every project, unit and person it
creates has is_demo=True; checkpoints, milestones, reports and blockers hang off demo projects.

Determinism. Projects are planned in blocks of 240 (the size of the real 2023 register): each
block has its own random stream and meets the plan's goals on its own (domain.md Part 1.2, scaled
to the block), so the register meets them at any size. Each project then draws its details from a
stream of its own, so the same seed and arguments give the same rows whatever the batch size, and
`--through` changes only what has happened by then (reports, actual dates, blockers), never the
register itself.

Amounts are in 万元, as everywhere in Duban.

Modules: `plan` (the demo plan, its dates and the fixed cast of units and people), `blocks` (a
block of 240 projects whose attributes meet the plan's goals), `projects` (one project and its
monthly plan, milestones, reports and blockers), `writing` (bulk inserts, clearing), `text` (the
Chinese vocabulary).
"""

from __future__ import annotations

from .blocks import BLOCK_SIZE, CHUNK_BLOCKS, CODE_PREFIX
from .plan import Cast, default_through, ensure_cast, ensure_plan, month_end
from .projects import Context, DemoProject, generate_register
from .writing import delete_demo_register, demo_projects, insert_chunk, seed_register

__all__ = [
    "BLOCK_SIZE",
    "CHUNK_BLOCKS",
    "CODE_PREFIX",
    "Cast",
    "Context",
    "DemoProject",
    "default_through",
    "delete_demo_register",
    "demo_projects",
    "ensure_cast",
    "ensure_plan",
    "generate_register",
    "insert_chunk",
    "month_end",
    "seed_register",
]
