"""What a finding says about the item behind it (findings.describe): readable figures, not raw decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation

from targets.choices import FindingCause
from targets.engine.facts import ItemStatus, Status
from targets.findings import Texts, describe
from targets.findings.rules import Want


def test_it_writes_figures_with_separators_and_the_ratio_as_a_percentage():
    status = ItemStatus(
        item_id=1,
        as_of=dt.date(2023, 7, 10),
        status=Status.RED,
        expected=Decimal("2000000.00"),
        actual=Decimal("750000.50"),
        ratio=Decimal("0.38"),
        judged_on=dt.date(2023, 6, 30),
        missing_periods=(dt.date(2023, 5, 1),),
    )
    with translation.override("zh-hans"):
        text = describe(Want(item_id=1, cause=FindingCause.RED, status=status), {}, Texts())

    assert "2,000,000" in text
    assert "750,000.5" in text
    assert "38%" in text
    assert "2000000.00" not in text
    assert "0.38" not in text
    assert "2023-05" in text
