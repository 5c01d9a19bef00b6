"""GDPR: a customer's callback requests lose every personal field but keep their statuses and times."""

from django.db import transaction

from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt
from callbacks.services.lifecycle import callback_cancel

CANCEL_REASON = "customer anonymised (GDPR)"
ANONYMISED_MESSAGE = "[anonymised]"
FREE_TEXT_EVENTS = ("contact_attempt", "duplicate_merged", "cancelled", "completed", "escalated")


@transaction.atomic
def callbacks_anonymise(*, customer, phone: str = "", email: str = "", by=None) -> int:
    """Open callbacks are cancelled first (nobody can call an erased number back), then all are scrubbed.

    Matches the customer's callbacks and those that only copied their phone number or email address.
    """
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
    _scrub_history(ids)
    return len(ids)


def _scrub_history(ids: list[int]) -> None:
    """Audit history (django-simple-history) keeps old values: scrub them too."""
    if ids:
        CallbackRequest.history.model.objects.filter(id__in=ids).update(
            customer_name="", phone="", customer_email="", notes="", metadata={}
        )
