"""The 2023 plan's judging encodings, goal by goal, as docs/judging-2023.md states them (issue 10):
a change to plan_2023 that alters how a goal is judged must change this table and the document.
Read from the fixture file itself (what `loaddata plan_2023` stores; test_plan_2023_fixture loads it)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

# code, judging kind, cadence, publication lag (days), comparator, tolerance, deadline
GOALS = [
    ("G01", "indicative", "quarterly", 20, "<=", "0.050", "2023-12-31"),
    ("G02", "indicative", "monthly", None, "<=", "0.050", "2023-12-31"),
    ("G03", "indicative", "quarterly", 20, ">=", "0.050", "2023-12-31"),
    ("G04", "indicative", "quarterly", 20, "<=", "0.050", "2023-12-31"),
    ("G05", "indicative", "annual", 90, "<=", "0.050", "2023-12-31"),
    ("G06", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G07", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G08", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G09", "indicative", "quarterly", 20, ">=", "0.050", "2023-12-31"),
    ("G10", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G11", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G12", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G13", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G14", "level", "quarterly", None, "=", "0.050", "2023-12-31"),
    ("G15", "level", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G16", "cumulative", "monthly", None, "=", "0.050", "2023-12-31"),
    ("G17", "level", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G18", "level", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G19", "level", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G20", "level", "annual", 31, ">=", "0.050", "2023-12-31"),
    ("G21", "cumulative", "event", None, "=", "0.050", "2023-12-31"),
    ("G22", "cumulative", "event", None, ">=", "0.050", "2023-12-31"),
    ("G23", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G24", "cumulative", "monthly", None, "=", "0.050", "2023-03-31"),
    ("G25", "cumulative", "event", None, ">=", "0.050", "2023-12-31"),
    ("G26", "cumulative", "event", None, ">=", "0.050", "2023-12-31"),
    ("G27", "cumulative", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G28", "cumulative", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G29", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G30", "indicative", "monthly", None, ">", "0.050", "2023-12-31"),
    ("G31", "level", "quarterly", None, "=", "0.050", "2023-12-31"),
    ("G32", "cumulative", "event", None, "=", "0.050", "2023-12-31"),
    ("G33", "cumulative", "event", None, ">=", "0.050", "2023-12-31"),
    ("G34", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G35", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G36", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G37", "indicative", "monthly", None, ">", "0.050", "2023-12-31"),
    ("G38", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G39", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G40", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G41", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G42", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G43", "level", "quarterly", None, "~", "0.050", "2023-12-31"),
    ("G44", "cumulative", "quarterly", 20, "=", "0.050", "2023-12-31"),
    ("G45", "cumulative", "quarterly", 20, "=", "0.050", "2023-12-31"),
    ("G46", "cumulative", "quarterly", 20, ">=", "0.050", "2023-12-31"),
    ("G47", "level", "quarterly", 20, ">=", "0.050", "2023-12-31"),
    ("G48", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G49", "cumulative", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G50", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G51", "level", "quarterly", None, ">=", "0.050", "2023-12-31"),
    ("G52", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G53", "cumulative", "monthly", None, "=", "0.050", "2023-12-31"),
    ("G54", "cumulative", "monthly", None, "=", "0.050", "2023-12-31"),
    ("G55", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G56", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G57", "indicative", "annual", 90, "<", "0.050", "2023-12-31"),
    ("G58", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G59", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G60", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G61", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G62", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G63", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G64", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G65", "cumulative", "seasonal", None, ">=", "0.050", "2023-12-31"),
    ("G66", "cumulative", "seasonal", None, ">=", "0.050", "2023-12-31"),
    ("G67", "cumulative", "seasonal", None, ">=", "0.050", "2023-12-31"),
    ("G68", "cumulative", "seasonal", None, ">", "0.050", "2023-12-31"),
    ("G69", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G70", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G71", "stock", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G72", "stock", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G73", "stock", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G74", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
    ("G75", "level", "monthly", None, ">=", "0.050", "2023-12-31"),
    ("G76", "yes_no", "event", None, ">=", "0.050", "2023-12-31"),
]


def load_goals() -> dict[str, dict]:
    """The goals as `loaddata plan_2023` stores them: each tracked item's fields with its target's."""
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / "plan_2023.json").read_text(encoding="utf-8"))
    targets = {r["pk"]: r["fields"] for r in rows if r["model"] == "targets.target"}
    return {
        r["fields"]["code"][5:]: {**r["fields"], **targets[r["pk"]]}
        for r in rows
        if r["model"] == "targets.trackeditem" and r["fields"]["kind"] == "goal"
    }


PLAN_2023 = load_goals()
CADENCE_WORDS = {"event": "事件", "monthly": "按月", "quarterly": "按季", "seasonal": "按季节窗口", "annual": "按年"}


def test_the_table_covers_all_76_goals():
    assert [row[0] for row in GOALS] == [f"G{n:02d}" for n in range(1, 77)] == sorted(PLAN_2023)


@pytest.mark.parametrize(("code", "kind", "cadence", "lag", "comparator", "tolerance", "deadline"), GOALS)
def test_goal_is_judged_as_documented(code, kind, cadence, lag, comparator, tolerance, deadline):
    goal = PLAN_2023[code]
    assert (goal["judging_kind"], goal["cadence"], goal["publication_lag_days"], goal["comparator"]) == (
        kind,
        cadence,
        lag,
        comparator,
    )
    assert Decimal(goal["tolerance"]) == Decimal(tolerance)
    assert dt.date.fromisoformat(goal["period_end"]) == dt.date.fromisoformat(deadline)


def test_the_document_has_one_row_per_goal_with_its_encoding():
    text = (Path(settings.BASE_DIR) / "docs" / "judging-2023.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| G")}
    for code, _kind, cadence, lag, _comparator, _tolerance, deadline in GOALS:
        cells = [cell.strip() for cell in rows[code].split("|")]
        assert cells[4] == CADENCE_WORDS[cadence]
        assert cells[5] == ("—" if lag is None else str(lag))
        assert cells[9] == deadline
    assert text.count("| G") == 76
