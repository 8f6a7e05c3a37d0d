"""`md`: plain text made inert inside a group robot's Markdown (WeCom and DingTalk).

Neither robot honours backslash escapes reliably, so the characters that start Markdown syntax are
replaced by their full-width forms, which read the same in Chinese text: a milestone titled
"[点此](http://evil)" shows as text and forges no link. Line breaks become spaces (no fake headings
or list items).
"""

from __future__ import annotations

from django import template

register = template.Library()

FULL_WIDTH = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "|": "｜",
        "!": "！",
        "~": "～",
        "\\": "＼",
        "\r": " ",
        "\n": " ",
    }
)


@register.filter
def md(value) -> str:
    return "" if value is None else str(value).translate(FULL_WIDTH)
