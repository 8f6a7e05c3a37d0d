"""Robot digests: titles are text in the Markdown, never links, headings or emphasis."""

from __future__ import annotations

import datetime as dt

from notifications import robots

HOSTILE = "[点此领取](http://evil.example/x) **紧急**\n# 假标题"


def test_a_hostile_title_forges_no_link_in_the_robot_markdown():
    ctx = {
        "week": "2023-W28",
        "as_of": dt.date(2023, 7, 9),
        "red": 1,
        "yellow": 0,
        "items": [{"colour": "红", "code": "P1", "title": HOSTILE, "url": "https://duban.example/admin/x/1/", "gap_text": ""}],
        "findings": [],
        "milestones": [{"item__code": "P1", "title": HOSTILE, "url": "https://duban.example/m/1/", "planned_date": None}],
        "missing": [],
    }
    hook = {"platform": "wecom", "url": "https://robot.example/send?key=k", "secret": "", "unit": "[单位](http://evil.example)"}

    markdown = robots.build(hook, ctx).markdown

    assert "](http://evil.example" not in markdown
    assert "\n# 假标题" not in markdown
    assert "**紧急**" not in markdown
    assert "［点此领取］（http://evil.example/x） ＊＊紧急＊＊ ＃ 假标题" in markdown
    # The digest's own links still work.
    assert "](https://duban.example/admin/x/1/)" in markdown
