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
    _scrub_history(customer)
    # Each app scrubs its own copies in its handler (callbacks, calls, appointments, notifications),
    # synchronously inside this transaction.
    emit("customer.anonymised", customer=customer, phone=phone, email=email, by=by)
    return customer


def _scrub_history(customer: Customer) -> None:
    """The audit history (django-simple-history) keeps old values: they take the anonymised ones."""
    customer.history.update(
        name=customer.name,
        phone="",
        email="",
        notes="",
        consent_email_at=None,
        consent_sms_at=None,
        consent_whatsapp_at=None,
        opted_out_channels=[],
    )
