"""Errors as `{"field": [{"message": …, "code": …}]}`, messages in the request's language."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = exc.get_full_details()
    return response
