"""What a notification is about, and the placeholder values it offers, formatted for one recipient.

A notification is about an appointment or a callback request (the "subject"). Dates are shown in the
branch's timezone and in the recipient's language.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import dateformat, translation
from django.utils.translation import gettext_lazy as _

from common.conf import current_company
from common.messages import message, render_message

DATETIME_FORMATS = {"de": "l, j. F Y, H:i \\U\\h\\r", "en": "l, j F Y, g:i A"}
DATE_FORMATS = {"de": "l, j. F Y", "en": "l, j F Y"}
PRIORITY_LABELS = {"urgent": _("urgent"), "high": _("high"), "normal": _("normal"), "low": _("low")}


@dataclass(frozen=True)
class Subject:
    """The appointment or callback a notification is about, with the people and places around it."""

    appointment: Any = None
    callback: Any = None
    previous_starts_at: datetime | None = None

    @property
    def record(self) -> Any:
        return self.appointment or self.callback

    @property
    def branch(self):
        return self.record.branch

    @property
    def service(self):
        return self.record.service

    @property
    def customer(self):
        return self.record.customer

    @property
    def staff(self):
        """The staff member the subject belongs to: the appointment's, or the callback's assignee."""
        return self.appointment.staff if self.appointment else self.callback.assigned_to


def _format(moment: datetime | None, tz, language: str, formats: dict[str, str]) -> str:
    if moment is None:
        return ""
    with translation.override(language):
        return dateformat.format(moment.astimezone(tz), formats.get(language, formats["en"]))


def placeholder_values(subject: Subject, language: str) -> dict[str, str]:
    branch = subject.branch
    tz = branch.tzinfo
    company = current_company()
    customer = subject.customer
    staff = subject.staff
    values = {
        "customer_name": customer.name if customer else "",
        "customer_phone": str(customer.phone or "") if customer else "",
        "service_name": subject.service.name if subject.service else "",
        "branch_name": branch.name,
        "branch_address": branch.address,
        "branch_phone": str(branch.phone or ""),
        "staff_name": staff.name if staff else "",
        "company_name": company.name if company else "",
        "previous_appointment_time": _format(subject.previous_starts_at, tz, language, DATETIME_FORMATS),
    }
    if subject.appointment:
        starts_at = subject.appointment.starts_at
        values["appointment_time"] = _format(starts_at, tz, language, DATETIME_FORMATS)
        values["appointment_date"] = _format(starts_at, tz, language, DATE_FORMATS)
    if subject.callback:
        callback = subject.callback
        values["customer_name"] = values["customer_name"] or callback.customer_name
        values["callback_phone"] = str(callback.phone or "")
        values["callback_deadline"] = _format(callback.expires_at, tz, language, DATETIME_FORMATS)
        with translation.override(language):
            values["callback_priority"] = str(PRIORITY_LABELS.get(callback.priority, callback.priority))
        reason = callback.unassignable_reason or callback.assignment_reason
        values["callback_reason"] = render_message(reason, language)
    return values


def sample_values(language: str) -> dict[str, str]:
    """Made-up values for the template preview in the admin."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    starts_at = datetime(2026, 3, 12, 13, 30, tzinfo=UTC)
    with translation.override(language):
        priority = str(PRIORITY_LABELS["high"])
    return {
        "customer_name": "Erika Mustermann",
        "customer_phone": "+49 170 1234567",
        "service_name": "Haarschnitt" if language == "de" else "Haircut",
        "appointment_date": _format(starts_at, berlin, language, DATE_FORMATS),
        "appointment_time": _format(starts_at, berlin, language, DATETIME_FORMATS),
        "previous_appointment_time": _format(starts_at.replace(day=10), berlin, language, DATETIME_FORMATS),
        "branch_name": "Berlin Mitte",
        "branch_address": "Friedrichstraße 1, 10117 Berlin",
        "branch_phone": "+49 30 1234567",
        "staff_name": "Anna Schmidt",
        "callback_deadline": _format(starts_at, berlin, language, DATETIME_FORMATS),
        "callback_phone": "+49 170 7654321",
        "callback_priority": priority,
        "callback_reason": render_message(message("branch_closed", branch="Berlin Mitte"), language),
        "company_name": "Acme GmbH",
    }
