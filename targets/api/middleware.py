"""Errors under /api/ are JSON in the API's error model, even those Django answers before DRF.

A body over DUBAN_API_MAX_BODY_BYTES is refused with 413 before anything reads it; an unknown
path (404), a bad request Django refuses (400) or a server error (500) under /api/ answers
`{"code", "detail"}` instead of an HTML page. The Swagger UI page itself stays HTML.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
}


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


class ApiErrorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DUBAN_API_MAX_BODY_BYTES
        if length > limit:
            detail = _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            return error(413, "request_too_large", detail)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith("application/json"):
            if response.status_code >= 500:
                return error(response.status_code, "server_error", _("A server error occurred."))
            code = CODES.get(response.status_code, "error")
            return error(response.status_code, code, response.reason_phrase)
        return response
