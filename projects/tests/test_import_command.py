"""manage.py import_xlsx: the admin's import from the shell, with the same roles, preview and all-or-nothing write."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from projects.models import ImportBatch, Project

from .xlsx import workbook as make_workbook

LEDGER = [
    ["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"],
    ["P01", "椒江大桥", "区市场监督管理局", 20000, 8000],
    ["P02", "人民医院", "卫健局", 9000, 3000],
]


@pytest.fixture
def ledger_file(tmp_path):
    def make(rows):
        path = tmp_path / "台账.xlsx"
        path.write_bytes(make_workbook(rows, title="2023年重大项目台账"))
        return path

    return make


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_xlsx", *args, stdout=out)
    return out.getvalue()


def test_it_previews_without_writing_then_applies_as_the_user(plan, departments, staff_user, ledger_file):
    path = ledger_file(LEDGER)

    preview = run("ledger", str(path), "--user", staff_user.username, "--plan", "2023")
    assert "2 new" in preview
    assert Project.objects.count() == 0

    applied = run("ledger", str(path), "--user", staff_user.username, "--plan", "2023", "--apply")
    assert "新增 2 条" in applied
    assert sorted(Project.objects.values_list("code", flat=True)) == ["P01", "P02"]
    assert {h.history_user for h in Project.history.all()} == {staff_user}
    assert ImportBatch.objects.filter(status="applied").count() == 1


def test_it_writes_nothing_when_a_row_has_an_error(plan, departments, staff_user, ledger_file):
    path = ledger_file([*LEDGER, ["P03", "新项目", "不存在的单位", 100, 50]])

    with pytest.raises(SystemExit) as preview:
        run("ledger", str(path), "--user", staff_user.username)
    with pytest.raises(CommandError, match="Nothing was written"):
        run("ledger", str(path), "--user", staff_user.username, "--apply")

    assert preview.value.code == 1
    assert Project.objects.count() == 0


def test_a_units_user_may_not_import_the_ledger(plan, departments, unit_user, ledger_file):
    with pytest.raises(CommandError, match="may not import a ledger"):
        run("ledger", str(ledger_file(LEDGER)), "--user", unit_user.username, "--apply")
    assert not ImportBatch.objects.exists()


def test_it_names_a_missing_file_or_plan(plan, staff_user, tmp_path):
    with pytest.raises(CommandError, match="No file"):
        run("ledger", str(tmp_path / "none.xlsx"), "--user", staff_user.username)
    with pytest.raises(CommandError, match="No plan for 1999"):
        run("ledger", str(tmp_path / "none.xlsx"), "--user", staff_user.username, "--plan", "1999")
