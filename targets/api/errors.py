"""Errors as `{"field": [{"message": …, "code": …}]}`, messages in the request's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


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
    if isinstance(exc, DjangoValidationError):
        exc = as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = exc.get_full_details()
    return response
