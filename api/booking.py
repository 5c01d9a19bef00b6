"""Booking through the API: what the request carries, and how the booking service's refusals answer.

`appointments.services.appointment_book` decides everything; this module only shapes its input and maps
its three kinds of "no" to HTTP: the slot is taken (409), a rule refused it (422, the reason and the field),
Cal.com is unreachable and a callback request was made instead (503 with `Retry-After`).
"""

import math
import string

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers

from api.errors import NON_FIELD
from appointments.services import AppointmentDeferred
from common.phone import normalise_phone
from org.models import Branch, Customer, Service, Staff

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100
# Without a hint from Cal.com (a rate limit says how long), ask the client to wait this long.
CALENDAR_RETRY_SECONDS = 60

WHO_IS_BOOKED = _("Give a customer id, or the customer's phone number and name.")
BAD_IDEMPOTENCY_KEY = _("At most 100 printable ASCII characters.")
NAIVE_START = _("The time must include its offset from UTC, e.g. 2026-03-09T10:00:00+01:00.")
CALENDAR_UNAVAILABLE = _(
    "The calendar is unreachable; a callback request was created for a person to finish the booking."
)


class StartWithOffset(serializers.DateTimeField):
    """ISO 8601 with an offset: a bare local time would be guessed in the server's timezone."""

    default_error_messages = {"naive": NAIVE_START}

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible, e.g. minute 99
            self.fail("invalid", format="ISO 8601")
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


class AppointmentBookSerializer(serializers.Serializer):
    """Who (`customer`, or `phone` and `name` to find or add them), where, what, with whom, when.

    Ids are looked up in this company only: another company's id is not found."""

    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.filter(anonymised_at__isnull=True), required=False, allow_null=True
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    starts_at = StartWithOffset(help_text="ISO 8601 with offset, e.g. 2026-03-09T10:00:00+01:00.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_phone(self, value: str) -> str:
        return normalise_phone(value) if value.strip() else ""

    def validate(self, attrs: dict) -> dict:
        if attrs.get("customer") is None and not (attrs.get("phone") and attrs.get("name", "").strip()):
            raise serializers.ValidationError({"customer": [WHO_IS_BOOKED]})
        return attrs


def idempotency_key(request) -> str | None:
    """The client's `Idempotency-Key`, scoped to the API key that sent it (no other door's keys collide)."""
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    printable = set(string.printable) - set(string.whitespace)
    if not raw or len(raw) > IDEMPOTENCY_KEY_MAX or not set(raw) <= printable:
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [BAD_IDEMPOTENCY_KEY]})
    return f"api:{request.auth.pk}:{raw}"


def _field_messages(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD: error.messages}


class _Refusal(exceptions.APIException):
    """The service's reason is the message (without its field's name); `details` names the field."""

    def __init__(self, error: DjangoValidationError) -> None:
        super().__init__(_field_messages(error))
        reasons = error.messages
        self.summary = reasons[0] if len(reasons) == 1 else None


class SlotTaken(_Refusal):
    status_code = 409
    default_code = "slot_not_free"


class BookingRefused(_Refusal):
    """A rule of the booking service (or a policy) said no: 422, its reason, its code when it has one."""

    status_code = 422
    default_code = "refused"

    def __init__(self, error: DjangoValidationError) -> None:
        super().__init__(error)
        self.default_code = getattr(error, "code", None) or self.default_code


class CalendarUnavailable(exceptions.APIException):
    """Nothing is lost: the request became a callback request, named in `details.callback_request`."""

    status_code = 503
    default_code = "calendar_unavailable"
    default_detail = CALENDAR_UNAVAILABLE

    def __init__(self, deferred: AppointmentDeferred) -> None:
        callback = getattr(deferred.callback, "pk", None)
        super().__init__({"callback_request": [str(callback)]} if callback is not None else {})
        self.summary = CALENDAR_UNAVAILABLE
        self.wait = math.ceil(getattr(deferred.__cause__, "retry_after", 0) or CALENDAR_RETRY_SECONDS)


ERROR = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "details": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Repeating a request with the same key books once and answers the same appointment (200).",
)
BOOKING_ERRORS = {
    409: OpenApiResponse(ERROR, description="The time is not free (any more); choose another."),
    422: OpenApiResponse(ERROR, description="A rule refused the booking; `message` says why."),
    503: OpenApiResponse(
        ERROR,
        description="Cal.com is unreachable: a callback request (`details.callback_request`) was created "
        "for a person to finish the booking. `Retry-After` says when to try again.",
    ),
}
