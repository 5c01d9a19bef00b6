"""GDPR: a customer's callback requests lose every personal field but keep their statuses and times."""

from django.db import transaction

from callbacks.models import CallbackEscalation, CallbackEvent, CallbackRequest, ContactAttempt
from callbacks.services.lifecycle import callback_cancel
from common.messages import message
from org.privacy import admin_log_rename

CANCEL_REASON = message("customer_anonymised")
ANONYMISED_MESSAGE = message("anonymised")
FREE_TEXT_EVENTS = ("contact_attempt", "duplicate_merged", "cancelled", "completed", "escalated")


EXPORTED_FIELDS = (
    "id", "status", "priority", "source", "customer_name", "phone", "customer_email", "notes",
    "preferred_window_start", "preferred_window_end", "branch__name", "service__name", "assigned_to__name",
    "created_at", "assigned_at", "contacted_at", "completed_at", "cancelled_at", "expired_at", "deleted_at",
)  # fmt: skip


def _callbacks_of(customer, phone: str, email: str):
    """The customer's callbacks and those that only copied their phone number or email address."""
    rows = CallbackRequest.all_objects.filter(customer=customer)
    if phone:
        rows = rows | CallbackRequest.all_objects.filter(phone=phone)
    if email:
        rows = rows | CallbackRequest.all_objects.filter(customer_email__iexact=email)
    return rows


@transaction.atomic
def callbacks_anonymise(*, customer, phone: str = "", email: str = "", by=None) -> int:
    """Open callbacks are cancelled first (nobody can call an erased number back), then all are scrubbed."""
    ids = list(_callbacks_of(customer, phone, email).values_list("pk", flat=True))
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
    admin_log_rename(CallbackRequest, ids, lambda pk: f"#{pk} {customer.name}")
    return len(ids)


def _scrub_history(ids: list[int]) -> None:
    """Audit history (django-simple-history) keeps old values: scrub them too."""
    if ids:
        CallbackRequest.history.model.objects.filter(id__in=ids).update(
            customer_name="", phone="", customer_email="", notes="", metadata={}
        )


def callbacks_export(customer) -> list[dict]:
    """Data-subject export: the customer's callback requests with every contact attempt and its note."""
    phone = str(customer.phone) if customer.phone else ""
    rows = _callbacks_of(customer, phone, customer.email).order_by("created_at", "pk")
    attempts = ContactAttempt.objects.filter(callback__in=rows).order_by("attempted_at", "pk")
    by_callback: dict[int, list[dict]] = {}
    for attempt in attempts.values("callback_id", "attempted_at", "outcome", "note", "call_back_at"):
        by_callback.setdefault(attempt.pop("callback_id"), []).append(attempt)
    return [
        {**row, "phone": str(row["phone"] or ""), "contact_attempts": by_callback.get(row["id"], [])}
        for row in rows.values(*EXPORTED_FIELDS)
    ]
