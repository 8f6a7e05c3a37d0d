"""One error model for the whole API: `{"code", "detail"}`, plus the field errors of a 400.

Every error body carries a machine-readable `code` and a `detail` in the request's language
(Chinese by default). A 400 keeps v1's field map beside them: `{"<field>": [{"message", "code"}]}`,
so `code` and `detail` are never used as field names. The top-level code of a 400 is its field
errors' code when they all share one (`duplicate`, `decrease_without_reason` …), else `invalid`.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
log = logging.getLogger(__name__)


def as_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError (from targets.validation or Model.clean) with its codes kept."""
    if hasattr(error, "error_dict"):
        detail = {
            field: [exceptions.ErrorDetail(str(e.message % e.params if e.params else e.message), code=e.code) for e in errs]
            for field, errs in error.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(str(e.message % e.params if e.params else e.message), code=e.code) for e in error.error_list
        ]
    return exceptions.ValidationError(detail)


def field_errors(details) -> dict[str, list[dict]]:
    """DRF's full details as `{"field": [{"message", "code"}]}`; a bare list becomes non_field_errors."""
    if isinstance(details, list):
        return {NON_FIELD: [flatten(d) for d in details]}
    if isinstance(details, dict) and {"message", "code"} <= details.keys():
        return {NON_FIELD: [details]}
    return {str(field): [flatten(d) for d in (value if isinstance(value, list) else [value])] for field, value in details.items()}


def flatten(detail) -> dict:
    """A nested serializer's errors (a dict) reduced to one {"message", "code"}."""
    if isinstance(detail, dict) and {"message", "code"} <= detail.keys():
        return {"message": str(detail["message"]), "code": str(detail["code"])}
    if isinstance(detail, dict):
        first = next(iter(detail.values()), None)
        return flatten(first[0] if isinstance(first, list) and first else first or {"message": "", "code": "invalid"})
    return {"message": str(detail), "code": "invalid"}


def validation_body(exc: exceptions.ValidationError) -> dict:
    fields = field_errors(exc.get_full_details())
    codes = {error["code"] for errors in fields.values() for error in errors}
    first = next((error["message"] for errors in fields.values() for error in errors), "")
    code = codes.pop() if len(codes) == 1 else "invalid"
    return {"code": code, "detail": first or _("Invalid input."), **fields}


def error_body(exc: exceptions.APIException) -> dict:
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    return {"code": code, "detail": str(exc.detail)}


def exception_handler(exc, context):
    if isinstance(exc, RedisError | BrokerUnavailable):
        # Only what truly needs Redis gets here (the cache degrades on its own): a JSON 503, not a 500 page.
        log.warning("API request needs Redis, which is unavailable: %s", exc)
        detail = _("A background service is temporarily unavailable; try again in a few minutes.")
        return Response(
            {"detail": detail, "code": "service_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    if isinstance(exc, DjangoValidationError):
        exc = as_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = validation_body(exc) if isinstance(exc, exceptions.ValidationError) else error_body(exc)
    return response
