"""GDPR: a customer's rights to erasure and to a copy of their data, without losing the statistics.

Anonymising scrubs every personal field of the customer and of the records that copy them (callback
requests keep the customer's name and phone; calls keep the caller's number, transcript and recording),
but keeps the rows, their timestamps, statuses and amounts, so counts, SLA compliance and revenue stay right.
Each app scrubs its own copies when `customer.anonymised` is emitted.

Exporting gathers everything held about one person as JSON. Each app contributes its section (callbacks,
appointments, calls, notifications) with `export_section_register` in its `AppConfig.ready`, as it
subscribes to events: org cannot import the apps above it.
"""

import json
from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.events import emit
from org.models import Customer

ALREADY_ANONYMISED = _("This customer was already anonymised.")
ANONYMOUS_NAME = "anonymised"
EXPORTED = "data export (GDPR)"
CUSTOMER_FIELDS = (
    "id", "name", "phone", "email", "preferred_language", "timezone", "is_vip", "notes",
    "consent_email_at", "consent_sms_at", "consent_whatsapp_at", "opted_out_channels", "anonymised_at",
    "created_at",
)  # fmt: skip

ExportSection = Callable[[Customer], Any]
_export_sections: dict[str, ExportSection] = {}


def export_section_register(name: str, section: ExportSection) -> None:
    """`section(customer)` → what the app holds about the customer (JSON-able after DjangoJSONEncoder)."""
    _export_sections[name] = section


def customer_export(customer: Customer) -> dict[str, Any]:
    """Everything we hold about one person, as plain JSON types (a data-subject access request)."""
    record = {field: getattr(customer, field) for field in CUSTOMER_FIELDS}
    record["phone"] = str(customer.phone) if customer.phone else ""
    data = {"exported_at": timezone.now(), "customer": record}
    data.update({name: section(customer) for name, section in sorted(_export_sections.items())})
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def customer_export_for_request(*, customer: Customer) -> dict[str, Any]:
    """The export handed out, and a record of it in the customer's audit trail: who took it, and when
    (an entry with no changed field and the reason "data export (GDPR)")."""
    data = customer_export(customer)
    customer._change_reason = EXPORTED
    customer.save(update_fields=["name"])
    return data


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
    admin_log_rename(Customer, [customer.pk], lambda pk: customer.name)
    # Each app scrubs its own copies in its handler (callbacks, calls, appointments, notifications),
    # synchronously inside this transaction.
    emit("customer.anonymised", customer=customer, phone=phone, email=email, by=by)
    return customer


def admin_log_rename(model, ids: list, name_of: Callable[[Any], str]) -> None:
    """The admin's "recent actions" (django.contrib.admin's LogEntry) name each object as it was called
    then: the entries of anonymised objects take their new name (change messages list field names only)."""
    content_type = ContentType.objects.get_for_model(model)
    for pk in ids:
        LogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(object_repr=name_of(pk))


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
