"""Cells of the register: the dashboard's heavy figures counted once, whatever the month and the filters.

The dashboard's filters (unit, leader, project category, project level flag) never split a group of
items that agree on (kind, lead unit, responsible leader, category, level flags): every selection
takes such a *cell* whole or leaves it out. A figure that adds up over items (sums of monthly
steps, counts of distinct items) is therefore counted once per cell over the whole plan and a
selection's figure is the sum over the cells it takes: a few thousand rows read in Python instead of
a million reports read in SQL. The figures kept here are independent of the month asked for too
(counted for every month of the plan; a month reads the months up to it), so one counting serves
every month and every selection of the plan.

They are kept with targets.figures_cache (the key holds the plan's latest finished supervision run,
so a run renews them) and counted right after each supervision run (warming.warm(), called by the run's
task), so the first request of a selection after a run does not count them. A closed month's
snapshot, when there is one, can be read instead in the sections that use these figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..choices import LEVEL_FLAGS
from .filters import Filters

FLAGS = tuple(flag for flag, _label in LEVEL_FLAGS)
# A cell's columns in SQL, for a query whose items are `i` (targets_trackeditem) and `p` (projects_project, left joined).
CELL_SQL = (
    "i.kind",
    "i.lead_department_id",
    "i.responsible_leader_id",
    "COALESCE(p.category, '')",
    *(f"COALESCE(p.{flag}, false)" for flag in FLAGS),
)
CELL_JOIN = "LEFT JOIN projects_project p ON p.trackeditem_ptr_id = i.id"
CELL_WIDTH = len(CELL_SQL)

# A cell: (kind, lead unit id, responsible leader id, category, *level flags)
Cell = tuple


def unit_of(cell: Cell) -> int | None:
    return cell[1]


def matches(cell: Cell, filters: Filters) -> bool:
    """Does the selection take the cell's items? (filters.item_filter, on a cell)."""
    kind, unit_id, leader_id, category, *flags = cell
    if filters.unit_id and unit_id != filters.unit_id:
        return False
    if filters.leader_id and leader_id != filters.leader_id:
        return False
    if filters.category and (kind != "project" or category != filters.category):
        return False
    return not (filters.level and (kind != "project" or not flags[FLAGS.index(filters.level)]))


def cell_key(row) -> Cell:
    """The cell of a row whose first CELL_WIDTH columns are CELL_SQL (booleans as read from any backend)."""
    kind, unit_id, leader_id, category, *flags = row[:CELL_WIDTH]
    return (kind, unit_id, leader_id, category or "", *(bool(flag) for flag in flags))


class Renewal:
    """How kept figures found old are renewed: projects.apps registers the queueing of the
    projects.warm_dashboard task here, so the sections this module serves never import the tasks."""

    queue: Callable[[int], object] | None = None


def renew(plan) -> None:
    """Queue warming.warm() (kept figures found old: they are served as they are meanwhile; inline without a broker)."""
    try:
        Renewal.queue(plan.pk)
    except Exception:
        logging.getLogger(__name__).warning("dashboard cells: could not queue their renewal", exc_info=True)
