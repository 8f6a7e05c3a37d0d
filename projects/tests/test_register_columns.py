"""The register's columns, declared once: the export writes one header per column, and the import
reads every header the export writes for a column it imports, the export's former headers too."""

from __future__ import annotations

from projects.imports import register, workbook
from projects.register_columns import BY_KEY, EXPORTED, IMPORTED


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
