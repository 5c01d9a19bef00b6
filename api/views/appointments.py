"""Appointments: read, book, and cancel or move through `appointments.services` (the policy engine
decides)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import serializers as s
from api.booking import (
    BOOKING_ERRORS,
    IDEMPOTENCY_PARAMETER,
    AppointmentBookSerializer,
    BookingRefused,
    CalendarUnavailable,
    SlotTaken,
    idempotency_key,
)
from api.views.base import ApiViewSet, NewestFirst, valid
from appointments import services
from appointments.models import Appointment
from appointments.selectors import appointment_for_request
from org.models import Customer
from org.selectors import customer_for_phone
from org.services import customer_create


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Appointment.objects.all()
    serializer_class = s.AppointmentSerializer
    pagination_class = NewestFirst

    @extend_schema(
        request=AppointmentBookSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.AppointmentSerializer, 200: s.AppointmentSerializer, **BOOKING_ERRORS},
    )
    def create(self, request) -> Response:
        """Book through `appointment_book`, as every other door does; 200 when the key was seen before."""
        data, key = valid(AppointmentBookSerializer, request), idempotency_key(request)
        replayed = appointment_for_request(key) is not None
        customer = _customer_of(data)
        try:
            appointment = services.appointment_book(
                customer=customer,
                service=data["service"],
                branch=data["branch"],
                staff=data.get("staff"),
                starts_at=data["starts_at"],
                notes=data.get("notes", ""),
                source=Appointment.Source.API,
                idempotency_key=key,
            )
        except services.SlotNotFree as exc:
            raise SlotTaken(exc) from exc
        except ValidationError as exc:
            raise BookingRefused(exc) from exc
        except services.AppointmentDeferred as exc:
            raise CalendarUnavailable(exc) from exc
        answer = status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        return Response(s.AppointmentSerializer(appointment).data, status=answer)

    def _changed(self, appointment: Appointment) -> Response:
        verdict = appointment.modifications.latest("pk")
        return Response(s.AppointmentChangedSerializer({"appointment": appointment, "verdict": verdict}).data)

    @extend_schema(request=s.AppointmentChangeSerializer, responses=s.AppointmentChangedSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        appointment, data = self.get_object(), valid(s.AppointmentChangeSerializer, request)
        cancelled = services.appointment_cancel(appointment=appointment, by=data.pop("staff", None), **data)
        return self._changed(cancelled)

    @extend_schema(request=s.AppointmentRescheduleSerializer, responses=s.AppointmentChangedSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None) -> Response:
        appointment, data = self.get_object(), valid(s.AppointmentRescheduleSerializer, request)
        try:
            moved = services.appointment_reschedule(
                appointment=appointment, by=data.pop("staff", None), **data
            )
        except services.AppointmentDeferred as exc:
            raise CalendarUnavailable(exc) from exc
        return self._changed(moved)


def _customer_of(data: dict) -> Customer:
    """The customer named by id, else the one with this number (and name), else a new one."""
    if data.get("customer") is not None:
        return data["customer"]
    phone, name = data["phone"], data["name"].strip()
    found = customer_for_phone(phone, name=name)
    return found or customer_create(name=name, phone=phone, email=data.get("email", ""))
