"""The Simplified Chinese catalogue: complete, compiled, in step with the code, and used by the admin.

The catalogue is locale/zh_Hans/LC_MESSAGES/django.po (the .mo next to it is committed). Tests that
need GNU gettext (msgfmt, xgettext) skip when it is not installed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from projects.tests.factories import ProjectFactory
from targets import validation
from targets.tests.admin_forms import changeform_data
from targets.tests.factories import PersonFactory, TargetFactory

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = CATALOGUE_DIR / "django.po"
MO = CATALOGUE_DIR / "django.mo"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MAKEMESSAGES = [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans"]
MAKEMESSAGES += ["--ignore", ".venv/*", "--ignore", "staticfiles/*", "--ignore", "benchmarks/*"]

needs_gettext = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("xgettext")), reason="needs GNU gettext (msgfmt, xgettext)"
)


# --- A small .po reader ----------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted .po string: {text}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header is the entry with an empty msgid)."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    started = False

    def finish():
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if started:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if started:
                finish()
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:]), "msgid_plural"
        elif line.startswith("msgid "):
            if started:
                finish()
            entry.msgid, target, started = _unquote(line[6:]), "msgid", True
            entry.obsolete = obsolete
        elif line.startswith("msgstr"):
            entry.msgstrs.append(_unquote(line.split(" ", 1)[1]))
            target = "msgstr"
        elif line.startswith('"'):
            if target == "msgid":
                entry.msgid += _unquote(line)
            elif target == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
            else:
                entry.msgstrs[-1] += _unquote(line)
    finish()
    return entries


def live_entries(path: Path = PO) -> list[Entry]:
    return [e for e in read_po(path) if e.msgid and not e.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", text))


# --- The catalogue ---------------------------------------------------------------------------------


def test_it_has_a_simplified_chinese_header():
    header = next(e for e in read_po(PO) if e.msgid == "")
    text = header.msgstrs[0]

    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in text
    assert "Content-Type: text/plain; charset=UTF-8\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text


def test_it_translates_every_entry():
    entries = live_entries()

    assert len(entries) > 250
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not e.msgstrs or not all(s.strip() for s in e.msgstrs)] == []
    # Chinese has one plural form: plural entries carry msgstr[0] only.
    assert [e.msgid for e in entries if e.msgid_plural is not None and len(e.msgstrs) != 1] == []


def test_it_keeps_every_placeholder():
    wrong = {
        e.msgid: e.msgstrs
        for e in live_entries()
        if any(placeholders(s) != placeholders(e.msgid_plural or e.msgid) for s in e.msgstrs)
        or (e.msgid_plural is not None and placeholders(e.msgid) != placeholders(e.msgid_plural))
    }
    assert wrong == {}


@needs_gettext
def test_it_passes_msgfmt_with_every_message_translated():
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@needs_gettext
def test_it_commits_the_compiled_catalogue():
    compiled = subprocess.run(["msgfmt", "--check-format", "-o", "-", str(PO)], capture_output=True, check=True).stdout

    assert MO.read_bytes() == compiled, "run: manage.py compilemessages --locale zh_Hans --ignore '.venv/*'"


@needs_gettext
def test_it_holds_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the code adds and drops nothing: no string was added without a translation."""
    copy = tmp_path / "src"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".venv-*",
            ".git",
            ".schemathesis",
            "__pycache__",
            "*.pyc",
            "staticfiles",
            "media",
            "artifacts",
            "*.sqlite3",
            ".*_cache",
            "*.mo",
        ),
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [*MAKEMESSAGES, "--no-obsolete", "--verbosity", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    regenerated = {e.msgid for e in live_entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")}
    ours = {e.msgid for e in live_entries()}

    assert sorted(regenerated - ours) == [], "strings in the code the catalogue lacks: run makemessages and translate them"
    assert sorted(ours - regenerated) == [], "strings no longer in the code: run makemessages"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("responsible unit", "责任单位"),
        ("lead unit", "牵头单位"),
        ("cooperating units", "配合单位"),
        ("responsible leader", "包干领导"),
        ("contact", "联系人"),
        ("unit head", "单位负责人"),
        ("major project", "重大项目"),
        ("milestone", "节点"),
        ("progress report", "进度报送"),
        ("Monthly plan", "分月计划"),
        ("blocker", "堵点"),
        ("Annual planned investment (10k yuan)", "年度计划投资（万元）"),
        ("total investment (10k yuan)", "总投资（万元）"),
        ("Entry into statistics", "入库"),
        ("commitment word", "承诺用语"),
        ("Time-proportional", "序时进度"),
        ("district key project (> 100M yuan)", "区级超亿元重点项目"),
        ("10k yuan", "万元"),
        ("100M yuan", "亿元"),
    ],
)
def test_it_uses_the_bureaus_terms(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese


# --- The admin in Chinese and in English -----------------------------------------------------------


@pytest.fixture
def project(plan):
    return ProjectFactory(plan=plan, code="P01", title="椒江大桥改建")


@pytest.fixture
def goal(plan):
    return TargetFactory(plan=plan, code="G49", title="建设充电桩200个以上", responsible_leader=PersonFactory(is_leader=True))


def page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_it_renders_the_admin_in_chinese_by_default(admin_client, goal, project):
    goals = page_text(admin_client.get(reverse("admin:targets_target_changelist")))
    new_project = page_text(admin_client.get(reverse("admin:projects_project_add")))
    projects = page_text(admin_client.get(reverse("admin:projects_project_changelist")))

    assert '<html lang="zh-hans"' in goals
    for label in ("目标指标", "牵头单位", "包干领导", "承诺用语", "完成率", "最近报送", "年度计划与指标", "重大项目"):
        assert label in goals, label
    for label in ("年度计划投资（万元）", "总投资（万元）", "区级超亿元重点项目", "配合单位", "分月计划", "累计计划投资（万元）"):
        assert label in new_project, label
    for label in ("年度计划投资（万元）", "累计完成投资（万元）", "有未解决堵点", "项目级别"):
        assert label in projects, label
    for english in ("Lead unit", "Annual planned investment", "Plan and goals", "Major projects"):
        assert english not in goals + new_project + projects, english


def test_it_renders_the_home_page_in_chinese(admin_client, plan):
    text = page_text(admin_client.get(reverse("admin:index")))

    for label in ("目标督办系统", "数据截至", "项目库累计完成投资", "年度计划与指标", "重大项目"):
        assert label in text, label


def test_it_renders_the_admin_in_english_on_request(admin_client, goal, project):
    goals = page_text(admin_client.get(reverse("admin:targets_target_changelist"), **EN))
    new_project = page_text(admin_client.get(reverse("admin:projects_project_add"), **EN))

    assert '<html lang="en"' in goals
    assert "Lead unit" in goals
    assert "Plan and goals" in goals
    assert "Annual planned investment (10k yuan)" in new_project
    for chinese in ("牵头单位", "目标指标", "年度计划投资（万元）", "包干领导"):
        assert chinese not in goals + new_project, chinese


def test_it_shows_a_validation_error_in_chinese(admin_client, project):
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = changeform_data(admin_client.get(url))
    data.update(total_investment="20000", target_value="30000")

    response = admin_client.post(url, data)

    assert "年度计划投资不能超过总投资。" in page_text(response)
    project.refresh_from_db()
    assert project.target_value == Decimal("8000")


def test_it_shows_the_same_error_in_english_on_request(admin_client, project):
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = changeform_data(admin_client.get(url, **EN))
    data.update(total_investment="20000", target_value="30000")

    response = admin_client.post(url, data, **EN)

    assert "The annual planned investment cannot exceed the total investment." in page_text(response)


def test_it_fills_the_placeholders_of_chinese_messages():
    with translation.override("zh-hans"):
        errors = validation.progress_report(
            is_yes_no=False,
            value=Decimal("10"),
            as_of=dt.date(2022, 12, 31),
            today=dt.date(2023, 6, 30),
            period_start=dt.date(2023, 1, 1),
            period_end=dt.date(2023, 12, 31),
            previous_value=None,
            correction_reason="",
        )

    assert errors["as_of"].messages == ["截至日期须在2023-01-01至2023-12-31之间。"]


def test_it_tells_apart_words_the_english_shares():
    """A person's name is 姓名, a unit's 名称; a finding's level is its escalation level, not a project's."""
    from notifications.models import Delivery
    from targets.models import Department, Escalation, Person

    with translation.override("zh-hans"):
        labels = {
            "person": str(Person._meta.get_field("name").verbose_name),
            "unit": str(Department._meta.get_field("name").verbose_name),
            "escalation": str(Escalation._meta.get_field("level").verbose_name),
            "delivery": str(Delivery._meta.get_field("level").verbose_name),
        }
    assert labels == {"person": "姓名", "unit": "名称", "escalation": "督办等级", "delivery": "督办等级"}
