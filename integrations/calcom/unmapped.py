"""A Cal.com booking nobody mapped: the patient is handed to a human by a callback request."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from appointments.models import UnmappedBooking
from appointments.services.unmapped import unmapped_booking_link_callback
from common.phone import try_normalise_phone
from org.selectors import branch_for_unrouted, customer_for_email, customer_for_phone

logger = logging.getLogger(__name__)

NEEDS_MAPPING_NOTE = gettext_noop(
    "Booked online in Cal.com (event type %(event_type)s, %(when)s), but no branch has this event type "
    "mapped: confirm the booking with the patient and map the event type under Appointments → Event types."
)
BRANCH_UNCONFIRMED_NOTE = gettext_noop(
    "Branch not known: ask the patient which branch they meant and move this request."
)


def calcom_unmapped_hand_over(unmapped: UnmappedBooking) -> bool:
    """Create the callback request for a booking waiting for its mapping (once); True when created.

    Its branch follows `org.selectors.branch_for_unrouted` (marked unconfirmed when it is not certain).
    """
    from callbacks.services import callback_create  # late: keeps the webhook URLs importable on their own

    if unmapped.callback_id is not None or unmapped.status != UnmappedBooking.Status.NEEDS_MAPPING:
        return False
    phone = try_normalise_phone(unmapped.attendee_phone) or "" if unmapped.attendee_phone else ""
    customer = customer_for_phone(phone, name=unmapped.attendee_name) or customer_for_email(
        unmapped.attendee_email
    )
    where = branch_for_unrouted(customer=customer)
    if where.branch is None:
        logger.warning("Cal.com booking %s needs mapping; no active branch for a callback", unmapped)
        return False
    when = unmapped.starts_at.astimezone(where.branch.tzinfo).strftime("%Y-%m-%d %H:%M")
    notes = [gettext(NEEDS_MAPPING_NOTE) % {"event_type": unmapped.event_type_id, "when": when}]
    if not where.confirmed:
        notes.append(gettext(BRANCH_UNCONFIRMED_NOTE))
    try:
        created = callback_create(
            branch_id=where.branch.pk,
            phone=phone or (customer.phone.as_e164 if customer and customer.phone else ""),
            customer_name=unmapped.attendee_name,
            customer_email=unmapped.attendee_email,
            customer_id=customer.pk if customer else None,
            notes=" ".join(notes),
            metadata={
                "kind": "calcom_needs_mapping",
                "calcom_booking_uid": unmapped.calcom_booking_uid,
                "event_type_id": unmapped.event_type_id,
                "branch_unconfirmed": not where.confirmed,
            },
            source="booking_failure",
        )
    except ValidationError as error:  # no way to reach them: the admin's list still shows the booking
        logger.warning("Cal.com booking %s needs mapping; no callback possible: %s", unmapped, error)
        return False
    unmapped_booking_link_callback(unmapped=unmapped, callback_id=created.callback.pk)
    return True
