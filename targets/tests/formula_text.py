"""Checks that user text written to a workbook stays text (no formula injection), for every writer's tests."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

# What a unit could type into a title, a 形象进度 or a measure; each must come back as this exact text.
HYPERLINK = '=HYPERLINK("http://x","y")'
AT_SUM = "@SUM(A1)"
PLUS_ONE = "+1"
INJECTIONS = (HYPERLINK, AT_SUM, PLUS_ONE)
_FORMULA = re.compile(r"<(?:\w+:)?f[ >/]")


def assert_written_as_text(content: bytes, values=INJECTIONS) -> None:
    """Every value is in some sheet as a string cell (data_type "s"), and no sheet holds a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _FORMULA.search(archive.read(name).decode()), f"a formula in {name}"
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    for value in values:
        found = [cell for cell in cells if cell.value == value]
        assert found, f"{value!r} not written"
        assert all(cell.data_type == "s" for cell in found), value
        assert all(cell.quotePrefix for cell in found), value
