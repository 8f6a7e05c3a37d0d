"""Reading the bureau's .xlsx files: open, find the sheet and its header row, normalise cell values.

Files arrive as the units keep them: a merged title row above the header, two-row headers where a
merged group ("2023年计划") spans month sub-columns, formulas, numbers typed as text with thousands
separators or full-width digits, and the combined 1—2月 month. The header row is found by matching
known column names, never assumed to be row 1.

Over 400 lines on purpose: the cell parsers (text, numbers, dates, months) and the sheet reader
are the one surface (workbook.parse_number, workbook.read_table …) the imports and tests call.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from ..schedule import is_reporting_month

# How far down a header row is looked for (title rows, notes above the table).
HEADER_SEARCH_ROWS = 30
# DecimalField(max_digits=16, decimal_places=2): the largest amount the database holds.
MAX_AMOUNT = Decimal("99999999999999.99")
CENT = Decimal("0.01")
# Zip-bomb and size caps, checked before and while a sheet is read (a 20 MB upload of real data
# unpacks to well under 100 MB; a sheet's XML compresses about 10:1, never 100:1 when large).
MAX_UNPACKED_BYTES = 100 * 2**20
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 2**20  # entry size: small entries (styles, a one-row sheet) may compress very well
MAX_ROWS = 20_000
MAX_COLUMNS = 200


class ImportFileError(Exception):
    """The file as a whole cannot be read (not .xlsx, empty, sheet or header missing)."""


class CellError(ValueError):
    """A cell's value cannot be read as what its column holds; the message is for the user."""


# --- Text ----------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[-‐‑‒–—―−~～〜至到]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def clean_text(value: object) -> str:
    """A cell as trimmed text; whole-number floats lose their ".0" (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def header_key(text: object) -> str:
    """How a header is compared: full-width folded, no spaces, no parenthesised unit, one kind of dash."""
    folded = unicodedata.normalize("NFKC", clean_text(text))
    folded = _SPACES.sub("", folded)
    folded = _DASHES.sub("-", folded)
    return _PARENTHESES.sub("", folded).replace("*", "")


# --- Values --------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(value: object) -> Decimal | None:
    """An amount or area: a number cell, or text such as "1,234.5", "１２３４", " 12 万元"; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value))
        text = _SPACES.sub("", text).replace(",", "").replace("万元", "").replace("亩", "")
        if not _NUMBER.match(text):
            raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)})
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)}) from exc
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)})
    # Formulas leave float noise (1234.5600000001): amounts are kept to the cent.
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(number) > MAX_AMOUNT:
        raise CellError(_("The number %(value)s is too large.") % {"value": clean_text(value)})
    return number


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: object) -> dt.date | None:
    """A date cell, or text such as 2023-03-31, 2023/3/31, 2023.3.31, 2023年3月31日; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s” is not a date in a known format; write it as 2023-03-31 or 2023年3月31日.") % {"value": clean_text(value)}
    )


YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "是的"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "不是"}


def parse_yes_no(value: object) -> bool:
    """是/否 (also Y/N, √, 1/0, TRUE/FALSE); blank is 否."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", clean_text(value)).lower()
    if text in YES:
        return True
    if text in NO or text == "":
        return False
    raise CellError(_("“%(value)s” is not 是 or 否.") % {"value": clean_text(value)})


_MONTH_RANGE = re.compile(r"^(?:(\d{4})年?)?1-2月?(?:份)?$")
_MONTH = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:份)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


@dataclass(frozen=True)
class Month:
    """A reporting month; 1—2月 is February (the statistics report January and February together)."""

    year: int | None
    month: int
    combined: bool = False

    def end(self, default_year: int) -> dt.date:
        year = self.year or default_year
        first_next = dt.date(year + self.month // 12, self.month % 12 + 1, 1)
        return first_next - dt.timedelta(days=1)

    def label(self) -> str:
        return "1—2月" if self.combined else f"{self.month}月"


def match_month(value: object) -> Month | None:
    """The month a cell or header names, or None: "1—2月", "1-2月", "1~2月", "2023年1—2月", "3月",
    "2023年3月", "2023-03", a date cell (its month)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Month(value.year, value.month)
    text = header_key(value)
    for suffix in ("累计计划", "计划累计", "累计", "计划"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if match := _MONTH_RANGE.match(text):
        return Month(int(match.group(1)) if match.group(1) else None, 2, combined=True)
    match = _MONTH.match(text) or _YEAR_MONTH.match(text)
    if match:
        year = int(match.group(1)) if match.group(1) else None
        month = int(match.group(2))
        if 1 <= month <= 12:
            return Month(year, month)
    return None


def january_alone_message() -> str:
    return _("January is not reported on its own: the statistics start with 1—2月 (January and February together); write 1—2月.")


def check_reporting_month(month: Month) -> Month:
    """The month, if it is reported on its own (projects.schedule: never January alone)."""
    if not month.combined and not is_reporting_month(month.month):
        raise CellError(january_alone_message())
    return month


def parse_month(value: object) -> Month | None:
    """A month cell (blank is None); raises CellError when it names no month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    month = match_month(value)
    if month is None:
        raise CellError(
            _("“%(value)s” is not a month; write it as 1—2月, 3月, 2023年3月 or 2023-03.") % {"value": clean_text(value)}
        )
    return month


# --- Workbook ------------------------------------------------------------------------------------


class FormulaWithoutValue:
    """A formula cell saved without its computed value (written by a program, never opened in Excel)."""

    def __repr__(self) -> str:
        return "FormulaWithoutValue"


NO_CACHED_VALUE = FormulaWithoutValue()


@dataclass
class Sheet:
    """A table read from a sheet: its columns (header key → column index) and data rows."""

    name: str
    columns: dict[str, int]
    headers: dict[str, str]  # key → the header as written (for messages)
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (Excel row number, values)
    header_rows: tuple[int, ...] = ()
    missing: list[str] = field(default_factory=list)  # required column keys the header lacks


def check_archive(data: bytes) -> None:
    """Refuse a zip that unpacks to far more than an .xlsx of the allowed size holds (a zip bomb):
    checked on the entries' declared sizes, before anything is unpacked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
    unpacked = sum(entry.file_size for entry in entries)
    packed_too_well = any(
        entry.file_size > RATIO_CHECKED_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )
    if unpacked > MAX_UNPACKED_BYTES or packed_too_well:
        raise ImportFileError(
            _(
                "The file is too large to import: it unpacks to %(size)s MB (at most %(limit)s MB), or holds far more "
                "than its cells. Keep only the table's sheet, delete empty rows and columns below and right of the "
                "table, save it and upload it again."
            )
            % {"size": f"{unpacked / 2**20:,.0f}", "limit": MAX_UNPACKED_BYTES // 2**20}
        )


class _CellParser(WorkSheetParser):
    """openpyxl's streaming sheet parser with cached values (data_only), marking a formula saved
    without one: one pass over the sheet instead of a second reading for the formulas."""

    def parse_cell(self, element):
        parsed = super().parse_cell(element)
        if parsed["value"] is None and element.find(FORMULA_TAG) is not None:
            parsed["value"] = NO_CACHED_VALUE
        return parsed


def _stream_rows(sheet) -> list[tuple]:
    """The sheet's rows (index = Excel row - 1), read as a stream and stopped past the row and column caps.

    Only cells holding a value count: styled empty cells far right or below (whole columns
    formatted) are dropped rather than padded into every row.
    """
    parser = _CellParser(
        sheet._get_source(),
        sheet._shared_strings,
        data_only=True,
        epoch=sheet.parent.epoch,
        date_formats=sheet.parent._date_formats,
        timedelta_formats=sheet.parent._timedelta_formats,
    )
    rows: list[tuple] = []
    for number, cells in parser.parse():
        values = {c["column"]: c["value"] for c in cells if c["value"] is not None and c["value"] != ""}
        if not values:
            continue
        if number > MAX_ROWS:
            raise ImportFileError(
                _("The file is too large to import: the sheet has data beyond row %(limit)s. Split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        if max(values) > MAX_COLUMNS:
            raise ImportFileError(
                _(
                    "The file is too large to import: row %(row)s has data beyond column %(limit)s. "
                    "Delete the columns right of the table and upload it again."
                )
                % {"row": number, "limit": MAX_COLUMNS}
            )
        rows.extend(() for _gap in range(len(rows), number - 1))
        rows.append(tuple(values.get(column) for column in range(1, max(values) + 1)))
    return rows


def load_rows(data: bytes, sheet_names: Iterable[str]) -> tuple[str, list[tuple]]:
    """The rows of the first sheet whose name is in sheet_names (or the only sheet), values cached.

    Formula cells carry their value as last computed by Excel or WPS (data_only); a formula that
    has none becomes NO_CACHED_VALUE so the row parser can say what to do. Only the chosen sheet is
    read, as a stream, after the zip's sizes are checked (see check_archive).
    """
    if not data:
        raise ImportFileError(_("The file is empty."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(
            _("The file is not an Excel .xlsx workbook. Save it in Excel or WPS as “Excel 工作簿 (*.xlsx)” and upload it again.")
        )
    check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise ImportFileError(
            _(
                "The file cannot be read as an .xlsx workbook (%(error)s). Open it in Excel or WPS, save it as .xlsx and upload it again."
            )
            % {"error": exc.__class__.__name__}
        ) from exc
    try:
        wanted = [name for name in sheet_names]
        names = book.sheetnames
        chosen = next((n for n in names if header_key(n) in {header_key(w) for w in wanted}), None)
        if chosen is None:
            visible = [n for n in names if book[n].sheet_state == "visible"]
            if len(visible) != 1:
                raise ImportFileError(
                    _("The workbook has no sheet named “%(expected)s” (its sheets: %(sheets)s).")
                    % {"expected": wanted[0], "sheets": "、".join(names)}
                )
            chosen = visible[0]
        # The sheet's recorded size is ignored (some writers record a wrong one): what is there is read.
        rows = _stream_rows(book[chosen])
    finally:
        book.close()
    return chosen, rows


def read_table(
    data: bytes,
    sheet_names: Iterable[str],
    known: dict[str, str],
    *,
    extra_header=None,
    required: Iterable[str] = (),
) -> Sheet:
    """Locate the header row among the first rows and return the data rows below it.

    known maps header keys (see header_key) to column keys; extra_header(text) may name further
    columns (e.g. months of a plan). The row matching most known names is the header; a row just
    below or above it that names further columns in columns the header left unnamed is its second
    header row (a merged group such as "2023年计划" over month sub-columns).
    """
    name, rows = load_rows(data, sheet_names)
    if not any(any(clean_text(v) for v in row if v is not NO_CACHED_VALUE) for row in rows):
        raise ImportFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": name})

    def names_of(row: tuple) -> dict[int, tuple[str, str]]:
        found = {}
        for index, value in enumerate(row):
            text = clean_text(value) if value is not NO_CACHED_VALUE else ""
            if not text:
                continue
            key = known.get(header_key(text))
            if key is None and extra_header is not None and isinstance(value, str):
                key = extra_header(value)
            if key is not None:
                found[index] = (key, text)
        return found

    scanned = [(i, names_of(row)) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])]
    best_index, best = max(scanned, key=lambda pair: len(pair[1]))
    if not best:
        raise ImportFileError(
            _("No header row found in the sheet “%(sheet)s”: the first rows name none of the template's columns (%(columns)s).")
            % {"sheet": name, "columns": "、".join(list(known)[:6])}
        )
    header_rows = [best_index]
    merged = dict(best)
    for neighbour in (best_index + 1, best_index - 1):
        if 0 <= neighbour < len(scanned):
            extra = {i: v for i, v in scanned[neighbour][1].items() if i not in merged}
            if extra and not any(v[0] in {k for k, _t in merged.values()} for v in extra.values()):
                merged.update(extra)
                header_rows.append(neighbour)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index in sorted(merged):
        key, text = merged[index]
        if key not in columns:  # a repeated header: the first one counts
            columns[key] = index
            headers[key] = text
    first_data = max(header_rows) + 1
    table = Sheet(name, columns, headers, header_rows=tuple(r + 1 for r in sorted(header_rows)))
    table.missing = [key for key in required if key not in columns]
    for index in range(first_data, len(rows)):
        row = rows[index]
        if any(v is NO_CACHED_VALUE or clean_text(v) for v in row):
            table.rows.append((index + 1, row))
    return table


def cell(row: tuple, index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]
