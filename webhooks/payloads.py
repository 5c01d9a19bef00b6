"""Which domain events become which webhook events, and the `data` each one carries."""

from typing import Any

from common.events import DomainEvent
from webhooks.models import EventType

# Domain events that move a callback to a new status; their emitter passes `old_status`.
STATUS_EVENTS = {
    "callback.assigned",
    "callback.contacted",
    "callback.completed",
    "callback.cancelled",
    "callback.expired",
}
DIRECT = {
    "callback.created": EventType.CALLBACK_CREATED,
    "callback.assigned": EventType.CALLBACK_ASSIGNED,
    "callback.escalated": EventType.CALLBACK_ESCALATED,
    "callback.sla_approaching": EventType.CALLBACK_SLA_APPROACHING,
    "appointment.created": EventType.APPOINTMENT_CREATED,
    "appointment.cancelled": EventType.APPOINTMENT_CANCELLED,
    "appointment.rescheduled": EventType.APPOINTMENT_RESCHEDULED,
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def callback_data(callback) -> dict[str, Any]:
    return {
        "id": callback.pk,
        "status": callback.status,
        "priority": callback.priority,
        "branch_id": callback.branch_id,
        "assigned_to_id": callback.assigned_to_id,
        "customer_id": callback.customer_id,
        "expires_at": _iso(callback.expires_at),
        "escalation_level": callback.escalation_level,
    }


def appointment_data(appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "reference": str(appointment.reference),
        "status": appointment.status,
        "starts_at": _iso(appointment.starts_at),
        "ends_at": _iso(appointment.ends_at),
        "branch_id": appointment.branch_id,
        "service_id": appointment.service_id,
        "staff_id": appointment.staff_id,
        "customer_id": appointment.customer_id,
    }


def _data_for(event: DomainEvent) -> dict[str, Any]:
    if event.get("callback") is not None:
        data = {"callback": callback_data(event["callback"])}
        if event.get("minutes_left") is not None:
            data["minutes_left"] = event["minutes_left"]
        if event.get("level") is not None:
            data["level"] = event["level"]
        return data
    data = {"appointment": appointment_data(event["appointment"])}
    if event.get("previous_starts_at") is not None:
        data["previous_starts_at"] = _iso(event["previous_starts_at"])
    return data


def webhook_events_for(event: DomainEvent) -> list[tuple[str, dict[str, Any]]]:
    """(webhook event type, data) pairs for one domain event; usually zero or one."""
    if event.get("callback") is None and event.get("appointment") is None:
        return []
    found = []
    if event.name in DIRECT:
        found.append((DIRECT[event.name], _data_for(event)))
    old_status = event.get("old_status")
    if event.name in STATUS_EVENTS and old_status and old_status != event["callback"].status:
        data = {**_data_for(event), "old_status": old_status, "new_status": event["callback"].status}
        found.append((EventType.CALLBACK_STATUS_CHANGED, data))
    return found
