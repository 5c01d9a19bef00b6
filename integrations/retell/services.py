"""Retell's call events through the inbox: store first (once per event and call), process later.

`retell_event_store` runs in the request, in the company's schema, and only writes the WebhookEvent row;
`retell_event_process` runs in Celery and applies the event to the Call. A duplicate delivery finds the
stored row and changes nothing. Processing locks the row and skips it when another worker holds it.
"""

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calls.services import call_follow_up, call_record_retell_event
from common.conf import platform_setting
from common.tasks import enqueue_on_commit
from integrations.inbox import inbox_store
from integrations.models import WebhookEvent
from integrations.retell.payloads import CallEvent, company_number
from integrations.retell.routing import route_call_to_company

logger = logging.getLogger(__name__)

Status = WebhookEvent.Status
PROCESSED_EVENTS = ("call_started", "call_ended", "call_analyzed")
KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Retell-Signature", "X-Forwarded-For")
NOT_PROCESSABLE = "Only call_started, call_ended and call_analyzed are processed."
NOT_REPROCESSABLE = "Not queued: " + NOT_PROCESSABLE


def event_key(event: CallEvent, raw_body: bytes) -> str:
    """What makes a delivery a duplicate. Lifecycle events happen once per call: the call id. Others can
    happen several times per call (transfers, transcript updates): the call id and the body's digest."""
    if event.event in PROCESSED_EVENTS:
        return event.call_id[:200]
    return f"{event.call_id[:130]}:{hashlib.sha256(raw_body).hexdigest()[:32]}"


def retell_event_store(
    *, event: CallEvent, raw_body: bytes, headers: dict[str, str]
) -> tuple[WebhookEvent, bool]:
    """Store one call event (idempotent on event + call id); queue its processing when it is new."""
    from integrations.retell.tasks import process_call_event

    processable = event.event in PROCESSED_EVENTS
    identity = {
        "source": WebhookEvent.Source.RETELL,
        "event": event.event,
        "external_id": event_key(event, raw_body),
    }
    fields = {
        "body": event.body,
        "raw_body": raw_body.decode("utf-8", errors="replace"),
        "headers": {name: headers[name] for name in KEPT_HEADERS if name in headers},
        "status": Status.RECEIVED if processable else Status.IGNORED,
        "error": "" if processable else NOT_PROCESSABLE,
    }

    def queue(stored: WebhookEvent) -> None:
        if processable:
            enqueue_on_commit(process_call_event, stored.pk)

    stored, created = inbox_store(identity=identity, fields=fields, on_new=queue)
    if not created:
        logger.info("duplicate Retell delivery %s ignored", stored)
    return stored, created


def _apply(stored: WebhookEvent) -> None:
    call_data: dict[str, Any] = stored.body["call"]
    route = route_call_to_company(company_number(call_data))
    call = call_record_retell_event(
        event=stored.event,
        data=call_data,
        branch_id=route.branch_id if route is not None else None,
    )
    if stored.event == "call_analyzed":
        call_follow_up(call=call)


def retell_event_process(*, event_id: int) -> WebhookEvent | None:
    """Apply a stored event to its call. Returns None when it is done already or locked by another worker."""
    with transaction.atomic():
        stored = WebhookEvent.objects.claim(pk=event_id, source=WebhookEvent.Source.RETELL)
        if stored is None:
            return None
        stored.attempts += 1
        try:
            with transaction.atomic():
                _apply(stored)
        except Exception as error:  # recorded on the row, retried by the sweep, visible in the admin
            logger.exception("processing Retell event %s failed", stored)
            stored.status, stored.error = Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
        else:
            stored.status, stored.error, stored.processed_at = Status.PROCESSED, "", timezone.now()
        stored.save(update_fields=["status", "error", "attempts", "processed_at"])
    return stored


def retell_event_reprocess(*, event: WebhookEvent) -> WebhookEvent:
    """Admin: run a stored event again (e.g. after fixing data). Processing itself stays idempotent.

    Back to `received` first, so the sweep finishes it even if this message is lost."""
    from integrations.retell.tasks import process_call_event

    if event.event not in PROCESSED_EVENTS:
        raise ValidationError(NOT_REPROCESSABLE)
    with transaction.atomic():
        event.status, event.error = Status.RECEIVED, ""
        event.save(update_fields=["status", "error"])
        enqueue_on_commit(process_call_event, event.pk)
    return event


def stuck_events() -> Any:
    """Events never processed (the queue was down) or failed, still below the attempt limit."""
    cutoff = timezone.now() - timedelta(minutes=int(platform_setting("RETELL_STUCK_EVENT_MINUTES")))
    max_attempts = int(platform_setting("RETELL_EVENT_MAX_ATTEMPTS"))
    return WebhookEvent.objects.filter(
        Q(status=Status.RECEIVED) | Q(status=Status.FAILED, attempts__lt=max_attempts),
        source=WebhookEvent.Source.RETELL,
        received_at__lt=cutoff,
    ).order_by("received_at", "id")


def retell_events_sweep(*, limit: int = 500) -> int:
    """Process stuck events of the current company, oldest first, in this worker (no re-queueing)."""
    processed = 0
    for event_id in stuck_events().values_list("pk", flat=True)[:limit]:
        if retell_event_process(event_id=event_id) is not None:
            processed += 1
    return processed
