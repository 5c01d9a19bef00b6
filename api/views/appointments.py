"""Appointments: read, and cancel or move through `appointments.services` (the policy engine decides)."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from api import serializers as s
from api.views.base import ApiViewSet, NewestFirst, valid
from appointments import services
from appointments.models import Appointment


class CalendarUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "calendar_unavailable"
    default_detail = "The calendar is unreachable; a callback request was created for a person to finish."


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Appointment.objects.all()
    serializer_class = s.AppointmentSerializer
    pagination_class = NewestFirst

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
            raise CalendarUnavailable() from exc
        return self._changed(moved)
