"""Numbers read the way the bureau writes them: separators, 万元, 亿元 where the plan says 亿元."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from targets import formatting
from targets.headlines import completion_percent
from targets.models import Target


@pytest.fixture(autouse=True)
def english():
    # Unit words are translated; pin the language so the assertions read the msgids.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (Decimal("0"), "0"),
        (Decimal("12345"), "12,345"),
        (Decimal("12345.60"), "12,345.6"),
        (Decimal("0.125"), "0.125"),  # three decimals: the plan's numbers exactly (issue 10)
        (Decimal("98.392"), "98.392"),
        (Decimal("0.1255"), "0.126"),
    ],
)
def test_it_formats_numbers(value, text):
    assert formatting.number(value) == text


def test_it_shows_yi_goals_in_yi_and_others_in_their_unit():
    yi_goal = Target(metric_kind="amount", unit="万元", show_in_yi=True, comparator=">=", target_value=Decimal("6000000"))
    piles = Target(metric_kind="count", unit="个", comparator=">", target_value=Decimal("200"))
    share = Target(metric_kind="percentage", unit="%", comparator=">=", target_value=Decimal("27"))
    no_number = Target(metric_kind="ranking", target_text="三区第一")

    assert formatting.goal_target(yi_goal) == "≥ 60 billion yuan"
    assert formatting.goal_amount(yi_goal, Decimal("12345")) == "123.45 million yuan"
    assert formatting.goal_target(piles) == "> 200 个"
    assert formatting.goal_target(share) == "≥ 27%"
    assert formatting.goal_target(no_number) == "三区第一"
    assert formatting.wan(Decimal("8000")) == "80,000,000 yuan"


@pytest.mark.parametrize(
    ("amount", "in_english", "chinese_yi", "chinese_wan"),
    [
        (Decimal("0"), "0 yuan", "0 亿元", "0 万元"),
        (Decimal("1.5"), "15,000 yuan", "0 亿元", "1.5 万元"),  # 0.00015 亿 rounds to 0,
        (Decimal("5000"), "50 million yuan", "0.5 亿元", "5,000 万元"),
        (Decimal("1200000"), "12 billion yuan", "120 亿元", "1,200,000 万元"),
    ],
)
def test_money_reads_naturally_in_english_and_in_chinese(amount, in_english, chinese_yi, chinese_wan):
    assert formatting.yi(amount) == in_english
    with translation.override("zh-hans"):
        assert formatting.yi(amount) == chinese_yi
        assert formatting.wan(amount) == chinese_wan


def test_it_gives_no_percentage_where_a_share_means_nothing():
    assert completion_percent(Target(comparator=">=", target_value=Decimal("200")), Decimal("150")) == Decimal("75.0")
    assert completion_percent(Target(comparator="<=", target_value=Decimal("10")), Decimal("5")) is None
    assert completion_percent(Target(metric_kind="ranking", comparator="<=", target_value=Decimal("1")), Decimal("1")) is None
    assert completion_percent(Target(comparator=">=", target_value=None), Decimal("5")) is None
