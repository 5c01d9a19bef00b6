"""GDPR: a customer's right to erasure without losing the company's statistics.

Anonymising scrubs every personal field of the customer and of the records that copy them (callback
requests keep the customer's name and phone; calls keep the caller's number, transcript and recording),
but keeps the rows, their timestamps, statuses and amounts, so counts, SLA compliance and revenue stay right.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.events import emit
from org.models import Customer

ALREADY_ANONYMISED = _("This customer was already anonymised.")
ANONYMOUS_NAME = "anonymised"
CANCEL_REASON = "customer anonymised (GDPR)"
ANONYMISED_MESSAGE = "[anonymised]"
FREE_TEXT_EVENTS = ("contact_attempt", "duplicate_merged", "cancelled", "completed", "escalated")


@transaction.atomic
def customer_anonymise(*, customer: Customer, by=None) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.anonymised_at is not None:
        raise ValidationError(ALREADY_ANONYMISED, code="anonymised")
    phone = str(customer.phone) if customer.phone else ""
    email = customer.email
    customer.name = f"{ANONYMOUS_NAME} #{customer.pk}"
    customer.phone = ""
    customer.email = ""
    customer.notes = ""
    customer.consent_email_at = customer.consent_sms_at = customer.consent_whatsapp_at = None
    customer.opted_out_channels = []
    customer.anonymised_at = timezone.now()
    customer.full_clean()
    customer.save()
    _scrub_callbacks(customer, phone, email, by)
    _scrub_calls(customer, phone)
    _scrub_appointments(customer)
    emit("customer.anonymised", customer=customer, by=by)
    return customer


def _scrub_callbacks(customer: Customer, phone: str, email: str, by) -> None:
    """Open callbacks are cancelled first (nobody can call an erased number back), then scrubbed."""
    from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt
    from callbacks.services import callback_cancel

    rows = CallbackRequest.all_objects.filter(customer=customer)
    if phone:
        rows = rows | CallbackRequest.all_objects.filter(phone=phone)
    if email:
        rows = rows | CallbackRequest.all_objects.filter(customer_email__iexact=email)
    ids = list(rows.values_list("pk", flat=True))
    for callback in CallbackRequest.objects.open().filter(pk__in=ids):
        callback_cancel(callback=callback, by=by, reason=CANCEL_REASON)
    CallbackRequest.all_objects.filter(pk__in=ids).update(
        customer_name=customer.name, phone="", customer_email="", notes="", metadata={}
    )
    ContactAttempt.objects.filter(callback__in=ids).update(note="")
    CallbackEscalation.objects.filter(callback__in=ids).update(notes="")
    # Timeline entries that may quote free text (notes, reasons) lose their wording; kind, time and actor
    # stay, so the statistics and the course of events survive. (Erasure overrides the append-only rule.)
    CallbackEvent.objects.filter(callback__in=ids, kind__in=FREE_TEXT_EVENTS).update(
        message=ANONYMISED_MESSAGE, details={}
    )
    _scrub_history(CallbackRequest, ids)


def _scrub_calls(customer: Customer, phone: str) -> None:
    from calls.models import Call

    rows = Call.objects.filter(customer=customer)
    if phone:
        rows = rows | Call.objects.filter(from_number=phone)
    rows.update(from_number="", transcript="", transcript_turns=[], recording_url="", summary="")


def _scrub_appointments(customer: Customer) -> None:
    from appointments.models import Appointment

    Appointment.objects.filter(customer=customer).update(notes="")


def _scrub_history(model, ids: list[int]) -> None:
    """Audit history (django-simple-history) keeps old values: scrub them too when the model has it."""
    history = getattr(model, "history", None)
    if history is None or not ids:
        return
    history.model.objects.filter(id__in=ids).update(
        customer_name="", phone="", customer_email="", notes="", metadata={}
    )
