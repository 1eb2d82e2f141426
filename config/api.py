"""API error handling: domain errors become clear 4xx answers, never 500s."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=400)
    return drf_exception_handler(exc, context)


# Fields whose text form is the Vietnamese one (dd/mm/yyyy, hh:mm) — documented as such, so that the
# OpenAPI document matches what is sent (stock DateField/TimeField claim ISO "date"/"time").
@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{2}/\d{2}/\d{4}$",
        "example": "02/09/2026",
        "description": "dd/mm/yyyy (yyyy-mm-dd accepted on input)",
    }
)
class VnDateField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%d/%m/%Y")
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d"])
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "07:30", "description": "hh:mm"}
)
class HourMinuteField(serializers.TimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M"])
        super().__init__(**kwargs)
