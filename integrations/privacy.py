"""GDPR: the inbox's copies of what Retell and Cal.com sent about a customer lose their bodies.

An event keeps its source, type, external id (the vendor's call id or booking uid, which keep duplicates
out), status and times, so the statistics and the idempotency of later deliveries stay right. Events not
yet processed are ignored from now on: processing an emptied body would fail, and processing the
original would write the erased data back.
"""

from django.db.models import Q

from appointments.models import Appointment
from calls.models import Call
from integrations.models import WebhookEvent

NOT_PROCESSED_ANONYMISED = "not processed: the customer was anonymised (GDPR)"
WAITING = (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED, WebhookEvent.Status.PROCESSING)


def _about_customer(customer, phone: str, email: str) -> Q:
    """The events of the customer's calls and bookings, and any event that quotes their number or address."""
    about = Q(pk__in=[])
    for call_id in Call.objects.filter(customer=customer).values_list("retell_call_id", flat=True):
        about |= Q(source=WebhookEvent.Source.RETELL) & (
            Q(external_id=call_id) | Q(external_id__startswith=f"{call_id}:")
        )
    uids = {
        uid
        for appointment in Appointment.objects.filter(customer=customer)
        for uid in appointment.all_booking_uids
    }
    about |= Q(source=WebhookEvent.Source.CALCOM, external_id__in=uids)
    if phone:
        about |= Q(raw_body__contains=phone) | Q(raw_body__contains=phone.removeprefix("+"))
    if email:
        about |= Q(raw_body__icontains=email)
    return about


def webhook_events_anonymise(*, customer, phone: str = "", email: str = "") -> int:
    """Empty the stored bodies (parsed and raw) and headers of every event about the customer."""
    ids = list(
        WebhookEvent.objects.filter(_about_customer(customer, phone, email)).values_list("pk", flat=True)
    )
    rows = WebhookEvent.objects.filter(pk__in=ids)
    rows.filter(status__in=WAITING).update(status=WebhookEvent.Status.IGNORED, error=NOT_PROCESSED_ANONYMISED)
    rows.exclude(error=NOT_PROCESSED_ANONYMISED).update(error="")
    return rows.update(body={}, raw_body="", headers={})


def webhook_bodies_expire(*, before, limit: int) -> int:
    """Retention: empty the bodies and headers of events received before `before` (at most `limit`).

    Events still waiting for their first processing keep theirs: their work is not done yet.
    """
    old = (
        WebhookEvent.objects.filter(received_at__lt=before)
        .exclude(status__in=(WebhookEvent.Status.RECEIVED, WebhookEvent.Status.PROCESSING))
        .exclude(raw_body="", body={}, headers={})
    )
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:limit])
    return WebhookEvent.objects.filter(pk__in=ids).update(body={}, raw_body="", headers={})
