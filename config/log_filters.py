"""Logging filters: expected client errors are one line, not a traceback."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx logged by django.request (a unit refused with 403, a 404) keeps its line but drops the traceback.

    Django attaches the PermissionDenied / Http404 exception to the record; for an expected refusal
    the traceback is noise. 5xx records keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
