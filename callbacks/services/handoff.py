"""Requests Cal.com could not take become callback requests a human finishes by hand."""

from typing import Any

from callbacks.models import CallbackRequest
from callbacks.services.creation import callback_create


def callback_create_for_handoff(
    *, customer, service, branch, staff, call_id: int | None, notes: str, metadata: dict[str, Any]
) -> CallbackRequest:
    """Once per request key and kind: a repeated request gets the callback created the first time."""
    key = metadata.get("idempotency_key")
    if key:
        earlier = CallbackRequest.objects.filter(
            metadata__idempotency_key=key, metadata__kind=metadata.get("kind")
        ).first()
        if earlier is not None:
            return earlier
    created = callback_create(
        branch_id=branch.pk,
        phone=customer.phone.as_e164 if customer.phone else "",
        customer_name=customer.name,
        customer_id=customer.pk,
        service_id=service.pk,
        preferred_staff_id=staff.pk if staff else None,
        customer_email=customer.email,
        notes=notes,
        metadata=metadata,
        source=CallbackRequest.Source.BOOKING_FAILURE,
        call_id=call_id,
    )
    return created.callback
