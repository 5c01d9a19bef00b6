"""Sending one delivery at most once: claim, send, then sent / retry / fallback / failed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from common.tasks import enqueue_on_commit
from notifications import conf
from notifications.channels.base import DeliveryError
from notifications.channels.router import send_on_channel
from notifications.context import Subject
from notifications.formatting import email_html
from notifications.models import Channel, NotificationDelivery
from notifications.selectors import Addressee, ChannelPlan
from notifications.services.planning import (
    APPOINTMENT_CANCELLED,
    APPOINTMENT_MOVED,
    APPOINTMENT_PASSED,
    DAILY_CAP_REACHED,
    Planned,
    SkipDelivery,
    check_consent,
    delivery_plan,
)

Status = NotificationDelivery.Status


def delivery_send(*, delivery_id: int) -> NotificationDelivery | None:
    """Send one queued delivery at most once; None when another run has it (or it is not due)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        _check_still_wanted(delivery)
        html = email_html(delivery.subject, delivery.body) if delivery.channel == Channel.EMAIL else ""
        receipt = send_on_channel(delivery, subject=delivery.subject, text=delivery.body, html=html)
    except SkipDelivery as skip:
        return finish(delivery, Status.SKIPPED, str(skip))
    except DeliveryError as error:
        return _record_failure(delivery, error)
    delivery.provider_message_id = receipt.provider_message_id[:200]
    delivery.sent_at = timezone.now()
    return finish(delivery, Status.SENT, "", "provider_message_id", "sent_at")


def _claim(delivery_id: int) -> NotificationDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE is the lock: of two runs of the same task only one sees `queued`.
        claimed = NotificationDelivery.objects.filter(
            pk=delivery_id, status=Status.QUEUED, not_before__lte=now
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
        if not claimed:
            return None
        delivery = NotificationDelivery.objects.select_related(
            "event_type", "customer", "staff", "branch", "appointment", "configuration"
        ).get(pk=delivery_id)
        if delivery.customer_id and not delivery.is_urgent and _daily_cap_reached(delivery, now):
            finish(delivery, Status.SKIPPED, str(DAILY_CAP_REACHED % {"cap": conf.daily_cap()}))
            return None
    return delivery


def _daily_cap_reached(delivery: NotificationDelivery, now: datetime) -> bool:
    # Serialise the count per customer: two claims running at once would both see room for one more.
    # The lock is taken after our own UPDATE, so whoever waits sees the other's committed `sending` row.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
            [f"{connection.schema_name}:notification-cap", delivery.customer_id],
        )
    local_midnight = now.astimezone(ZoneInfo(delivery.customer.timezone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    sent_today = (
        NotificationDelivery.objects.filter(
            customer_id=delivery.customer_id,
            status__in=[Status.SENDING, Status.SENT],
            claimed_at__gte=local_midnight,
        )
        .exclude(pk=delivery.pk)
        .count()
    )
    return sent_today >= conf.daily_cap()


def _check_still_wanted(delivery: NotificationDelivery) -> None:
    """The customer may still be written to (an opt-out may have come since it was planned); a reminder
    is only sent for the appointment as it was planned, and never after it started."""
    if delivery.customer is not None:
        person = Addressee(delivery.recipient_kind, customer=delivery.customer)
        check_consent(person, delivery.channel, delivery.event_type)
    appointment = delivery.appointment
    if delivery.reminder_offset_minutes is None or appointment is None:
        return
    if not appointment.is_active:
        raise SkipDelivery(APPOINTMENT_CANCELLED)
    if appointment.starts_at != delivery.appointment_starts_at:
        raise SkipDelivery(APPOINTMENT_MOVED)
    if appointment.starts_at <= timezone.now():
        raise SkipDelivery(APPOINTMENT_PASSED)


def finish(delivery: NotificationDelivery, status: str, reason: str, *fields: str) -> NotificationDelivery:
    delivery.status, delivery.reason = status, reason
    delivery.save(update_fields=["status", "reason", *fields])
    return delivery


@transaction.atomic
def _record_failure(delivery: NotificationDelivery, error: DeliveryError) -> NotificationDelivery:
    """Keep the attempt's error; retry later, or hand over to the fallback channel once, or give up."""
    now = timezone.now()
    delivery.errors = [
        *delivery.errors,
        {"attempt": delivery.attempts, "at": now.isoformat(), "code": error.code, "error": str(error)},
    ]
    if not error.permanent and delivery.attempts < delivery.max_attempts:
        delay = _retry_delay(delivery)
        delivery.not_before = now + delay
        finish(delivery, Status.QUEUED, str(error), "errors", "not_before")
        from notifications.tasks import send_delivery

        enqueue_on_commit(send_delivery, delivery.pk, countdown=delay.total_seconds())
        return delivery
    if error.ambiguous or not delivery.fallback_channel:
        return finish(delivery, Status.FAILED, str(error), "errors")
    finish(delivery, Status.FALLBACK, str(error), "errors")
    _fallback_plan(delivery)
    return delivery


def _retry_delay(delivery: NotificationDelivery) -> timedelta:
    delays = delivery.retry_delays_minutes or conf.retry_delays_minutes()
    return timedelta(minutes=delays[min(delivery.attempts, len(delays)) - 1])


def _fallback_plan(delivery: NotificationDelivery) -> NotificationDelivery | None:
    person = Addressee(delivery.recipient_kind, customer=delivery.customer, staff=delivery.staff)
    subject = Subject(appointment=delivery.appointment, callback=delivery.callback)
    plan = Planned(
        event_type=delivery.event_type,
        subject=subject,
        not_before=timezone.now(),
        appointment_starts_at=delivery.appointment_starts_at,
        reminder_offset_minutes=delivery.reminder_offset_minutes,
        dedupe_key=delivery.dedupe_key,
    )
    channel_plan = ChannelPlan(delivery.fallback_channel, delivery.configuration, "")
    return delivery_plan(plan, person, channel_plan, fallback_for=delivery)


PROVIDER_UNDELIVERED = "{provider} reported the message as {status} (error {code})."
FAILED_RECEIPTS = ("undelivered", "failed")


@transaction.atomic
def delivery_record_receipt(*, provider_message_id: str, status: str, error_code: str = "") -> bool:
    """A provider's delivery receipt: `delivered` is noted; `undelivered`/`failed` after we had sent
    the message fails the row and tries the fallback channel once. Repeated receipts change nothing."""
    delivery = (
        NotificationDelivery.objects.select_for_update()
        .filter(provider_message_id=provider_message_id, status=Status.SENT)
        .first()
    )
    if delivery is None or not provider_message_id:
        return False
    if status == "delivered" and delivery.delivered_at is None:
        delivery.delivered_at = timezone.now()
        delivery.save(update_fields=["delivered_at"])
        return True
    if status not in FAILED_RECEIPTS:
        return False
    reason = PROVIDER_UNDELIVERED.format(provider="Twilio", status=status, code=error_code or "?")
    error = DeliveryError(reason, permanent=True, code=error_code)
    _record_failure(delivery, error)
    return True
