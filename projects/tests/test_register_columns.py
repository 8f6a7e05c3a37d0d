"""The register's columns, declared once: the export writes one header per column, and the import
reads every header the export writes for a column it imports, the export's former headers too.
The five level flags are declared once (projects.choices.PROJECT_LEVELS) with each output's name."""

from __future__ import annotations

from types import SimpleNamespace

from projects.choices import LEVEL_FLAGS, PROJECT_LEVELS
from projects.dashboard import xlsx as dashboard_xlsx
from projects.dashboard.cells import FLAGS
from projects.imports import register, workbook
from projects.register_columns import BY_KEY, COLUMNS, EXPORTED, IMPORTED, level_text


def test_it_imports_a_column_under_the_header_the_export_writes():
    known = register.known_headers()
    imported = {column.key for column in IMPORTED}
    for column in EXPORTED:
        if column.key in imported:
            assert known[workbook.header_key(column.header)] == column.key


def test_the_owner_and_township_are_read_under_their_old_and_new_headers():
    known = register.known_headers()
    for header in ("业主单位", "项目业主", "建设单位"):
        assert known[workbook.header_key(header)] == "owner_company"
    for header in ("所在乡镇（街道）", "乡镇（街道）"):
        assert known[workbook.header_key(header)] == "township"


def test_the_export_and_the_template_share_one_header_per_column():
    assert BY_KEY["owner_company"].header == "业主单位"
    exported = {column.key: column.header for column in EXPORTED}
    for column in IMPORTED:
        assert exported.get(column.key, column.header) == column.header


def test_the_level_flags_are_declared_once_with_each_outputs_name():
    fields = [level.field for level in PROJECT_LEVELS]
    assert fields == ["is_provincial_key", "is_provincial_major_industrial", "is_city_key", "is_district_key", "is_major"]
    assert [field for field, _label in LEVEL_FLAGS] == fields  # the admin's and the dashboard's filters
    assert tuple(fields) == FLAGS  # the dashboard's cells
    flags = [column for column in COLUMNS if column.level]  # the register's flag columns, in order
    assert [(c.key, c.header, c.level) for c in flags] == [(f.field, f.header, f.short) for f in PROJECT_LEVELS]
    assert [c.key for c in IMPORTED if c.kind == "flag"] == fields
    # The register export abbreviates 重大; the dashboard workbook's filter line names 重大项目.
    assert [level.short for level in PROJECT_LEVELS] == ["省重点", "省重大产业", "市重点", "区重点", "重大"]
    assert {level.field: level.named for level in PROJECT_LEVELS} == dashboard_xlsx.LEVELS
    assert list(dashboard_xlsx.LEVELS.values()) == ["省重点", "省重大产业", "市重点", "区重点", "重大项目"]


def test_the_export_abbreviates_the_levels_a_project_carries():
    project = SimpleNamespace(**{level.field: level.field in {"is_city_key", "is_major"} for level in PROJECT_LEVELS})
    assert level_text(project) == "市重点、重大"
