"""Workbooks for the import tests, laid out as the units send them."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook


def workbook(
    rows: list[list], *, sheet: str = "项目台账", title: str | None = None, merges: list[str] = (), extra_sheets=()
) -> bytes:
    """A workbook whose sheet holds rows (optionally below a merged title row); merges like "A2:A3"."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        width = max(len(r) for r in rows) if rows else 1
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    for name in extra_sheets:
        book.create_sheet(name)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the result Excel would have saved with them (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?', rf"\1\2<v>{value}</v>", text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()
