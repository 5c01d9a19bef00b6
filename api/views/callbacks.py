"""Callbacks: every create and transition calls `callbacks.services`; no rule is restated here."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import serializers as s
from api.filters import CallbackFilterSerializer, callbacks_filtered
from api.views.base import ApiViewSet, NewestFirst, valid
from callbacks import services
from callbacks.models import CallbackEscalation, CallbackRequest


class CallbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = s.CallbackSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        queryset = CallbackRequest.objects.all()
        if self.action == "list":
            queryset = callbacks_filtered(queryset, self.request.query_params)
        return queryset

    @extend_schema(parameters=[CallbackFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.CallbackCreateSerializer,
        responses={201: s.CallbackCreatedSerializer, 200: s.CallbackCreatedSerializer},
    )
    def create(self, request) -> Response:
        """201 for a new request; 200 when it joined the caller's open one (`created` is false)."""
        data = valid(s.CallbackCreateSerializer, request)
        result = services.callback_create(
            branch_id=data["branch"],
            phone=data.get("phone", ""),
            customer_name=data.get("customer_name", ""),
            customer_email=data.get("customer_email", ""),
            customer_id=data.get("customer"),
            service_id=data.get("service"),
            preferred_staff_id=data.get("preferred_staff"),
            priority=data.get("priority"),
            preferred_window_start=data.get("preferred_window_start"),
            preferred_window_end=data.get("preferred_window_end"),
            notes=data.get("notes", ""),
            source=CallbackRequest.Source.API,
        )
        body = s.CallbackCreatedSerializer({"created": result.created, "callback": result.callback}).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def _answer(self, callback: CallbackRequest) -> Response:
        callback.refresh_from_db()
        return Response(s.CallbackSerializer(callback).data)

    @extend_schema(request=s.AssignSerializer, responses=s.CallbackSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None) -> Response:
        callback, staff = self.get_object(), valid(s.AssignSerializer, request).get("staff")
        if staff is None:
            services.callback_auto_assign(callback=callback)
        else:
            services.callback_assign(callback=callback, staff=staff)
        return self._answer(callback)

    @extend_schema(request=s.StaffChoiceSerializer, responses=s.CallbackSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None) -> Response:
        """The named staff member takes the callback themselves (recorded as their own action)."""
        callback, staff = self.get_object(), valid(s.StaffChoiceSerializer, request)["staff"]
        services.callback_assign(callback=callback, staff=staff, by=staff.user)
        return self._answer(callback)

    @extend_schema(request=s.ContactAttemptSerializer, responses={201: s.ContactAttemptSerializer})
    @action(detail=True, methods=["post"], url_path="contact-attempts")
    def contact_attempt(self, request, pk=None) -> Response:
        callback, data = self.get_object(), valid(s.ContactAttemptSerializer, request)
        attempt = services.callback_record_contact_attempt(
            callback=callback,
            outcome=data["outcome"],
            staff=data.get("staff"),
            note=data.get("note", ""),
            call_back_at=data.get("call_back_at"),
        )
        return Response(s.ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NoteSerializer, responses=s.CallbackSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None) -> Response:
        callback = self.get_object()
        services.callback_complete(callback=callback, note=valid(s.NoteSerializer, request).get("note", ""))
        return self._answer(callback)

    @extend_schema(request=s.ReasonSerializer, responses=s.CallbackSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        callback = self.get_object()
        reason = valid(s.ReasonSerializer, request).get("reason", "")
        services.callback_cancel(callback=callback, reason=reason)
        return self._answer(callback)

    @extend_schema(request=s.EscalateSerializer, responses={201: s.EscalationSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None) -> Response:
        callback, data = self.get_object(), valid(s.EscalateSerializer, request)
        escalation = services.callback_escalate(
            callback=callback,
            reason=CallbackEscalation.Reason.MANUAL,
            to_staff=data.get("to_staff"),
            notes=data.get("notes", ""),
        )
        return Response(s.EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)
