"""`explain_plan 2023` and the goal page say, in Chinese, how each goal is judged (issue 10)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from targets.explain import explain_goals
from targets.models import Plan, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    call_command("loaddata", "plan_2023", verbosity=0)
    return Plan.objects.get(year=2023)


def test_it_prints_every_goal_in_chinese(plan):
    out = io.StringIO()
    call_command("explain_plan", "2023", "--as-of", "2023-05-10", stdout=out)
    text = out.getvalue()
    assert text.count("\n2023-G") + text.startswith("2023-G") == 76
    g44 = text.split("2023-G44", 1)[1].split("\n\n", 1)[0]
    assert "按季度报送" in g44
    assert "统计时点后20天内" in g44
    assert "下一期数据截止：2023-07-20" in g44
    g71 = text.split("2023-G71", 1)[1].split("\n\n", 1)[0]
    assert "任何一次低于即亮红灯" in g71
    g43 = text.split("2023-G43", 1)[1].split("\n\n", 1)[0]
    assert "低于目标数不超过5%即视为完成" in g43
    g53 = text.split("2023-G53", 1)[1].split("\n\n", 1)[0]
    assert "98.392" in g53
    # Conditional (适时启动): no date, so grey and no year-end verdict until the bureau dates it.
    g76 = text.split("2023-G76", 1)[1].split("\n\n", 1)[0]
    assert "节点尚未设定日期" in g76
    assert "节点未设定日期时不作评价" in g76
    assert "最迟" not in g76
    # Projects financed beyond 2022's water plant: one is enough.
    g33 = text.split("2023-G33", 1)[1].split("\n\n", 1)[0]
    assert "目标≥ 1 个" in g33


def test_every_goal_says_what_makes_it_red_and_when_it_is_final(plan):
    explained = explain_goals(plan, dt.date(2023, 5, 10))
    assert len(explained) == 76
    for goal, lines in explained:
        assert any("Final verdict" in line or "年终评价" in line for line in lines), goal.code
        assert any("red" in line or "红灯" in line for line in lines), goal.code


def test_an_unknown_plan_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No plan for 2031"):
        call_command("explain_plan", "2031")


def test_the_goal_page_shows_it(plan, client):
    user = get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-12345678")
    client.force_login(user)
    goal = Target.objects.get(code="2023-G65")
    page = client.get(reverse("admin:targets_target_change", args=[goal.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    assert "本目标如何评价" in body
    assert "季节性窗口" in body
