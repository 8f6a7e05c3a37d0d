"""File downloads of the admin: a workbook or a document as an attachment with its (Chinese) name.

FileResponse writes the name as RFC 5987 filename* when it is not ASCII, so browsers keep 三清单-….xlsx.
"""

from __future__ import annotations

import io

from django.http import FileResponse

from .spreadsheets import XLSX_CONTENT_TYPE
from .three_lists import DOCX_CONTENT_TYPE


def xlsx_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def docx_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_CONTENT_TYPE)
