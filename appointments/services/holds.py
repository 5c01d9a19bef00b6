"""Slot holds: a Cal.com reservation while the caller confirms."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.models import Appointment, SlotHold
from appointments.selectors import event_type_for
from appointments.services.base import (
    CALCOM_REFUSED,
    SlotNotFree,
)
from common.conf import company_setting
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.errors import (
    CalcomError,
    CalcomRequestRejected,
    NoSlotsAvailable,
)
from org.models import Branch, Customer, Service, Staff

logger = logging.getLogger(__name__)


def slot_hold(
    *,
    service: Service,
    branch: Branch,
    starts_at: datetime,
    staff: Staff | None = None,
    customer: Customer | None = None,
    call_id: int | None = None,
    client: CalcomClient | None = None,
) -> SlotHold:
    """Reserve a slot in Cal.com for a few minutes while the caller confirms."""
    minutes = int(company_setting("APPOINTMENT_SLOT_HOLD_MINUTES"))
    event_type_id = event_type_for(service=service, branch=branch, staff=staff)
    client = client or calcom_client_for_current_company()
    try:
        reservation = client.reserve_slot(event_type_id=event_type_id, start=starts_at, minutes=minutes)
    except NoSlotsAvailable as exc:
        raise SlotNotFree() from exc
    except CalcomRequestRejected as exc:
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc
    hold = SlotHold(
        reservation_uid=reservation.uid,
        event_type_id=event_type_id,
        service=service,
        staff=staff,
        branch=branch,
        customer=customer,
        call_id=call_id,
        starts_at=starts_at,
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    hold.full_clean()
    hold.save()
    return hold


def slot_hold_release(*, hold: SlotHold, client: CalcomClient | None = None) -> SlotHold:
    """Give a held slot back (the caller chose another or hung up); Cal.com would expire it anyway."""
    if hold.status != SlotHold.Status.HELD:
        return hold
    try:
        (client or calcom_client_for_current_company()).release_reservation(hold.reservation_uid)
    except CalcomError:
        logger.warning("releasing Cal.com reservation %s failed; it expires on its own", hold.reservation_uid)
    return _hold_settled(hold, appointment=None)


def _hold_settled(hold: SlotHold, *, appointment: Appointment | None) -> SlotHold:
    hold.status = SlotHold.Status.BOOKED if appointment is not None else SlotHold.Status.RELEASED
    hold.appointment = appointment
    hold.save(update_fields=["status", "appointment"])
    return hold


def slot_holds_expire(*, now: datetime | None = None) -> int:
    """Mark holds whose Cal.com reservation has run out as released (Cal.com frees the slot itself)."""
    now = now or timezone.now()
    return SlotHold.objects.filter(status=SlotHold.Status.HELD, expires_at__lte=now).update(
        status=SlotHold.Status.RELEASED
    )
