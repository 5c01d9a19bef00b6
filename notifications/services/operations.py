"""Admin actions, sweeps and configuration edits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.tasks import enqueue_on_commit
from notifications import conf, selectors
from notifications.context import sample_values
from notifications.formatting import ComposedMessage, compose
from notifications.models import NotificationDelivery
from notifications.selectors import Addressee
from notifications.services.planning import (
    NOT_RESENDABLE,
    STUCK_IN_SENDING,
    SkipDelivery,
    address_for,
    check_consent,
    enqueue_if_due,
)

Status = NotificationDelivery.Status
ANONYMISED = "[anonymised]"


@transaction.atomic
def delivery_resend(*, delivery: NotificationDelivery) -> NotificationDelivery:
    """A new attempt of a failed delivery, as a new row (the failed one stays in the log)."""
    if delivery.status not in (Status.FAILED, Status.FALLBACK):
        raise ValidationError(NOT_RESENDABLE)
    person = Addressee(delivery.recipient_kind, customer=delivery.customer, staff=delivery.staff)
    copy = NotificationDelivery(
        **{
            f.name: getattr(delivery, f.name)
            for f in NotificationDelivery._meta.concrete_fields
            if f.name in RESEND_COPIED_FIELDS
        },
        resent_from=delivery,
        not_before=timezone.now(),
    )
    try:
        copy.address = address_for(person, copy.channel, delivery.branch)
        check_consent(person, copy.channel, delivery.event_type)
    except SkipDelivery as skip:
        copy.status, copy.reason = Status.SKIPPED, str(skip)
    copy.save()
    enqueue_if_due(copy)
    return copy


RESEND_COPIED_FIELDS = {
    "event_type", "channel", "recipient_kind", "customer", "staff", "branch", "language", "appointment",
    "callback", "configuration", "is_urgent", "max_attempts", "retry_delays_minutes", "subject", "body",
    "sms_segments", "sms_encoding", "appointment_starts_at", "reminder_offset_minutes",
}  # fmt: skip


def deliveries_dispatch_due(*, limit: int = 500) -> int:
    """Queue the sends that are due (reminders, delayed messages, retries whose task was lost)."""
    from notifications.tasks import send_delivery

    due = NotificationDelivery.objects.filter(status=Status.QUEUED, not_before__lte=timezone.now())
    ids = list(due.order_by("not_before").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        enqueue_on_commit(send_delivery, delivery_id)
    return len(ids)


def deliveries_fail_stuck() -> int:
    """Deliveries whose worker died mid-send: their outcome is unknown, so they fail rather than resend."""
    stuck_since = timezone.now() - conf.stuck_sending_after()
    stuck = NotificationDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_since)
    return stuck.update(status=Status.FAILED, reason=str(STUCK_IN_SENDING))


def in_app_mark_read(*, staff, delivery_ids: list[int]) -> int:
    unread = selectors.unread_in_app(staff).filter(pk__in=delivery_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def configuration_save(*, configuration):
    """Validate (placeholders, channels, one target) and save a configuration row."""
    configuration.full_clean()
    configuration.save()
    return configuration


@transaction.atomic
def event_type_save(*, event_type):
    event_type.full_clean()
    event_type.save()
    return event_type


@transaction.atomic
def template_save(*, template):
    template.full_clean()
    template.save()
    return template


def template_preview(*, channel: str, subject: str, body: str, language: str) -> ComposedMessage:
    """What a template would send, filled with made-up sample data; ValidationError if it is not allowed."""
    return compose(
        channel,
        subject=subject,
        body=body,
        values=sample_values(language),
        sms_max_segments=conf.sms_max_segments(),
    )


@transaction.atomic
def deliveries_anonymise(*, customer, phone: str = "") -> int:
    """GDPR: what we sent to or about an anonymised customer keeps its status, but no personal data.

    Queued messages are cancelled; address, text, reasons and provider errors (which quote the number)
    are blanked on every row sent to the customer or about their appointments and callbacks.
    """
    about = Q(customer=customer) | Q(appointment__customer=customer) | Q(callback__customer=customer)
    if phone:
        about |= Q(address=phone) | Q(body__contains=phone)
    rows = NotificationDelivery.objects.filter(about)
    rows.filter(status=Status.QUEUED).update(status=Status.CANCELLED)
    return rows.update(
        address="", subject=ANONYMISED, body=ANONYMISED, reason=ANONYMISED, errors=[], provider_message_id=""
    )


def deliveries_expire_bodies(*, before, limit: int) -> int:
    """Retention: subject, text and provider errors of messages created before `before` are emptied
    (at most `limit`); messages still to be sent keep theirs."""
    old = (
        NotificationDelivery.objects.filter(created_at__lt=before)
        .exclude(status__in=(Status.QUEUED, Status.SENDING))
        .exclude(subject="", body="", errors=[])
    )
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:limit])
    return NotificationDelivery.objects.filter(pk__in=ids).update(subject="", body="", errors=[])
