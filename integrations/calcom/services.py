"""The Cal.com inbox: store each webhook first (in the request), apply it later (in Celery), idempotently.

`calcom_event_store` runs in the request, in the company's schema, and only writes the WebhookEvent row;
a second delivery of the same trigger for the same booking uid finds the stored row and changes nothing.
`calcom_event_process` runs in Celery and applies the event through the appointment services.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from appointments.models import UnmappedBooking
from appointments.services import (
    appointment_by_reference,
    appointment_record_calcom_booking,
    appointment_record_calcom_cancellation,
    appointment_record_calcom_reschedule,
)
from common.conf import platform_setting
from common.tasks import enqueue_on_commit
from integrations.calcom.client import calcom_client_for_current_company
from integrations.calcom.echo import consume_echo
from integrations.calcom.payloads import PayloadError, booking_facts, payload_of
from integrations.calcom.unmapped import calcom_unmapped_hand_over
from integrations.inbox import inbox_store
from integrations.models import WebhookEvent

logger = logging.getLogger(__name__)

Status = WebhookEvent.Status
PROCESSED_TRIGGERS = ("BOOKING_CREATED", "BOOKING_REQUESTED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED")
KEPT_HEADERS = (
    "Content-Type",
    "User-Agent",
    "X-Cal-Signature-256",
    "X-Cal-Webhook-Version",
    "X-Forwarded-For",
)
# Our own booking's webhook can arrive before our transaction commits; wait this many attempts for it.
ECHO_ATTEMPTS = 6

NOT_PROCESSED = "Trigger %s is not processed."
OWN_BOOKING = "Our own booking, echoed by Cal.com."
OWN_BOOKING_NEVER_SAVED = "Our own booking, but it was never saved here (the booking service undid it)."
OWN_CHANGE = "Our own change, echoed by Cal.com."
UNKNOWN_BOOKING = "No appointment has this Cal.com booking uid, and its event type is no service of ours."
NEEDS_MAPPING = (
    "Cal.com event type %s is mapped to no branch: kept under Unmapped Cal.com bookings with a callback "
    "request; map the event type, then reprocess this event."
)
OWN_BOOKING_PENDING = "Our own booking is not saved yet; trying again shortly."
# An event still `received` this long after it came lost its message (the echo retries end within 30 s).
STUCK_AFTER_MINUTES = 1
NOT_REPROCESSABLE = "Not queued: this Cal.com event is %(status)s already (only failed or waiting ones are)."


class OwnBookingNotSavedYet(Exception):
    """The echo of a booking we are making arrived before our local write committed: retry later."""


def calcom_event_store(
    *, body: dict[str, Any], raw_body: bytes, headers: dict[str, str]
) -> tuple[WebhookEvent, bool]:
    """Store one delivery (idempotent on trigger + booking uid); queue its processing when it is new."""
    from integrations.calcom.tasks import process_calcom_event

    trigger = str(body.get("triggerEvent") or "")[:64]
    uid = payload_of(body).get("uid")
    external_id = str(uid)[:200] if uid else hashlib.sha256(raw_body).hexdigest()
    processable = trigger in PROCESSED_TRIGGERS
    identity = {"source": WebhookEvent.Source.CALCOM, "event": trigger, "external_id": external_id}
    fields = {
        "body": body,
        "raw_body": raw_body.decode("utf-8", errors="replace"),
        "headers": {name: headers[name] for name in KEPT_HEADERS if name in headers},
        "status": Status.RECEIVED if processable else Status.IGNORED,
        "error": "" if processable else NOT_PROCESSED % (trigger or "(none)"),
    }

    def queue(stored: WebhookEvent) -> None:
        if processable:
            enqueue_on_commit(process_calcom_event, stored.pk)
        else:
            logger.info("Cal.com webhook %s stored and ignored: trigger %r", stored.pk, trigger)

    return inbox_store(identity=identity, fields=fields, on_new=queue)


def calcom_event_process(*, event_id: int) -> WebhookEvent | None:
    """Apply a stored event. None when it is done already or another worker holds it.

    Raises OwnBookingNotSavedYet when our own booking's echo came first (the task retries).
    """
    with transaction.atomic():
        stored = WebhookEvent.objects.claim(pk=event_id, source=WebhookEvent.Source.CALCOM)
        if stored is None:
            return None
        stored.attempts += 1
        try:
            with transaction.atomic():
                stored.status, stored.error = _apply(stored)
        except OwnBookingNotSavedYet:
            stored.status, stored.error = Status.RECEIVED, OWN_BOOKING_PENDING
        except PayloadError as exc:
            logger.warning("Cal.com webhook %s rejected: %s", stored.pk, exc)
            stored.status, stored.error = Status.FAILED, str(exc)
        except Exception as exc:
            logger.exception("Cal.com webhook %s failed", stored.pk)
            stored.status, stored.error = Status.FAILED, f"{type(exc).__name__}: {exc}"
        stored.processed_at = timezone.now() if stored.status != Status.RECEIVED else None
        stored.save(update_fields=["status", "error", "attempts", "processed_at"])
    if stored.error == OWN_BOOKING_PENDING:
        raise OwnBookingNotSavedYet(stored.pk)
    return stored


def _apply(stored: WebhookEvent) -> tuple[str, str]:
    facts = booking_facts(payload_of(stored.body))
    if facts.event_type_id is not None:
        # The calendar changed in Cal.com: cached free slots of this event type are stale now.
        calcom_client_for_current_company().invalidate_slots(facts.event_type_id)
    trigger = stored.event
    if trigger == "BOOKING_CANCELLED":
        if consume_echo("BOOKING_CANCELLED", facts.uid):
            return Status.IGNORED, OWN_CHANGE
        appointment = appointment_record_calcom_cancellation(facts=facts)
        return (Status.PROCESSED, "") if appointment is not None else (Status.IGNORED, UNKNOWN_BOOKING)
    if facts.reschedule_uid:
        if consume_echo("BOOKING_RESCHEDULED", facts.reschedule_uid):
            return Status.IGNORED, OWN_CHANGE
        return _settled(appointment_record_calcom_reschedule(facts=facts))
    if facts.reference:
        return _own_booking(stored, facts.reference)
    return _settled(appointment_record_calcom_booking(facts=facts))


def _settled(result: object) -> tuple[str, str]:
    """A booking waiting for its event type's mapping stays failed (reprocess it once mapped)."""
    if isinstance(result, UnmappedBooking):
        logger.warning("Cal.com booking %s: event type %s needs mapping", result.pk, result.event_type_id)
        calcom_unmapped_hand_over(result)
        return Status.FAILED, NEEDS_MAPPING % result.event_type_id
    return Status.PROCESSED, ""


def _own_booking(stored: WebhookEvent, reference: str) -> tuple[str, str]:
    if appointment_by_reference(reference) is not None:
        return Status.IGNORED, OWN_BOOKING
    if stored.attempts < ECHO_ATTEMPTS:
        raise OwnBookingNotSavedYet(stored.pk)
    return Status.IGNORED, OWN_BOOKING_NEVER_SAVED


def calcom_event_reprocess(*, event: WebhookEvent) -> WebhookEvent:
    """Admin: queue a failed or stuck event again (e.g. after mapping its event type).

    The event goes back to `received`, so the sweep finishes it even if this message is lost. Events that
    were applied or ignored are refused: applying a cancellation or a move twice is not harmless.
    """
    from integrations.calcom.tasks import process_calcom_event

    if event.status not in (Status.FAILED, Status.RECEIVED):
        raise ValidationError(NOT_REPROCESSABLE % {"status": event.status})
    with transaction.atomic():
        event.status, event.error = Status.RECEIVED, ""
        event.save(update_fields=["status", "error"])
        enqueue_on_commit(process_calcom_event, event.pk)
    return event


def stuck_calcom_events() -> QuerySet[WebhookEvent]:
    """Events stored but not applied a while after they came: their message was lost (queue down)."""
    minutes = int(platform_setting("CALCOM_STUCK_EVENT_MINUTES", STUCK_AFTER_MINUTES))
    return WebhookEvent.objects.filter(
        source=WebhookEvent.Source.CALCOM,
        status=Status.RECEIVED,
        received_at__lt=timezone.now() - timedelta(minutes=minutes),
    ).order_by("received_at", "id")


def calcom_events_sweep(*, limit: int = 500) -> int:
    """Apply the current company's stuck events, oldest first, in this worker (no re-queueing)."""
    processed = 0
    for event_id in stuck_calcom_events().values_list("pk", flat=True)[:limit]:
        try:
            stored = calcom_event_process(event_id=event_id)
        except OwnBookingNotSavedYet:
            continue  # the attempt is counted on the row; a later sweep tries again, up to ECHO_ATTEMPTS
        processed += stored is not None
    return processed
