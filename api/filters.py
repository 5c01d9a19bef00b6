"""Query-string filters, validated like any input (a bad value is a 400, never a 500)."""

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from callbacks.models import CallbackRequest, overdue_q


class CallbackFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(CallbackRequest.Status.choices, required=False)
    priority = serializers.ChoiceField(CallbackRequest.Priority.choices, required=False)
    branch = serializers.IntegerField(required=False, min_value=1)
    assignee = serializers.IntegerField(required=False, min_value=1)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)


def callbacks_filtered(queryset: QuerySet, params) -> QuerySet:
    data = _valid(CallbackFilterSerializer, params)
    lookups = {
        "status": "status",
        "priority": "priority",
        "branch": "branch_id",
        "assignee": "assigned_to_id",
        "created_after": "created_at__gte",
        "created_before": "created_at__lt",
    }
    queryset = queryset.filter(**{lookups[name]: value for name, value in data.items() if name in lookups})
    if data.get("overdue") is not None:
        overdue = overdue_q(timezone.now())
        queryset = queryset.filter(overdue) if data["overdue"] else queryset.exclude(overdue)
    return queryset


def _valid(serializer_class, params) -> dict:
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
