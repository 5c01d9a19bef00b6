"""Shared by the appointment functions: the calendar services, slot wording, and what to do when the
calendar cannot help (alternatives, or a callback request with source `booking_failure`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.phone import try_normalise_phone
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from integrations.retell.spoken_time import SpokenTime
from org.models import Branch, Service, Staff

logger = logging.getLogger(__name__)

PHONE_AGENT = "phone_agent"
MAX_OFFERED = 3


def appointment_services():
    """Imported late: the URLconf must import even while a dependency is being changed."""
    from appointments import selectors, services

    return selectors, services


def slot_answers(context: FunctionContext, starts: list[datetime]) -> list[dict[str, str]]:
    return [{"start": start.isoformat(), "spoken": context.moment(start)} for start in starts]


def spoken_slots(context: FunctionContext, starts: list[datetime]) -> str:
    return context.listing([context.moment(start) for start in starts], "or")


def slot_query(
    context: FunctionContext, service: Service, staff: Staff | None, exclude: Appointment | None = None
):
    """The slots wish at the caller's branch; a move stays at the moved appointment's branch."""
    selectors, _services = appointment_services()
    branch = exclude.branch if exclude is not None else context.require_branch()
    return selectors.SlotQuery(
        service=service, branch=branch, staff=staff, customer=context.customer, exclude=exclude
    )


def checked_staff(context: FunctionContext, service: Service) -> Staff | None:
    staff = context.staff()
    if staff is not None and not staff.services.filter(pk=service.pk).exists():
        raise ArgumentProblem(
            "staff", "staff_cannot", context.say("staff_cannot", staff=staff.name, service=service.name)
        )
    return staff


def time_wish(wish: SpokenTime | None):
    """The appointment module's TimeWish for a parsed wish (any time when there is none)."""
    from appointments.availability import ANY_TIME, TimeWish

    if wish is None:
        return ANY_TIME
    if wish.at is not None:
        return TimeWish(exact=wish.at)
    if wish.window is not None:
        return TimeWish(earliest=wish.window[0], latest=wish.window[1])
    return ANY_TIME


def own_appointment_then(context: FunctionContext, start: datetime, service: Service) -> Appointment | None:
    if context.customer is None:
        return None
    end = start + timedelta(minutes=service.duration_minutes)
    return (
        Appointment.objects.active()
        .filter(customer=context.customer, starts_at__lt=end, ends_at__gt=start)
        .select_related("service")
        .first()
    )


def leave_callback(
    context: FunctionContext,
    service: Service | None,
    wanted: datetime | None,
    note: str,
    kind: str,
    branch: Branch | None = None,
) -> CallbackRequest | None:
    """A callback request (source `booking_failure`) with what the caller wanted, at `branch` (default: the
    caller's); None without a number or a branch.

    A withheld caller's dictated number gets a new callback marked as such, never someone else's record.
    """
    from callbacks.services import callback_create

    dictated = "" if context.caller_phone else try_normalise_phone(context.arg("phone")) or ""
    phone = context.caller_phone or dictated
    branch = branch or context.branch
    if not phone or branch is None:
        return None
    when = context.moment(wanted) if wanted else ""
    created = callback_create(
        branch_id=branch.pk,
        phone=phone,
        customer_name=context.arg("name") or (context.customer.name if context.customer else ""),
        customer_id=context.customer.pk if context.customer else None,
        service_id=service.pk if service else None,
        notes=f"{service.name if service else ''} {when}: {note}".strip(),
        metadata={"retell_call_id": context.call.retell_call_id, "kind": kind},
        source="booking_failure",
        call_id=context.call.pk,
        phone_given_by_caller=bool(dictated),
    )
    return created.callback


def calendar_down(
    context: FunctionContext,
    service: Service | None,
    wanted: datetime | None,
    error: Exception,
    branch: Branch | None = None,
) -> Reply:
    """The calendar failed us: leave a callback request so the caller is not lost, and say so."""
    logger.warning("calendar unavailable during call %s: %s", context.call, error)
    callback = leave_callback(context, service, wanted, str(error), "calendar_unavailable", branch)
    if callback is None:
        return {"ok": False, "status": "calendar_unavailable", "message": context.say("error")}
    return {
        "ok": False,
        "status": "callback_queued",
        "callback_id": callback.pk,
        "message": context.say("calendar_unavailable"),
    }


def alternatives(context: FunctionContext, query, wanted: datetime) -> list[datetime]:
    selectors, _services = appointment_services()
    return [slot.start for slot in selectors.alternatives_for(query, wanted=wanted)][:MAX_OFFERED]


def taken_reply(context: FunctionContext, query, wanted: datetime, status: str = "unavailable") -> Reply:
    offers = alternatives(context, query, wanted)
    if not offers:
        return {
            "ok": False,
            "status": "no_availability",
            "alternatives": [],
            "message": context.say("no_slots"),
        }
    message = context.say("slot_taken", when=context.moment(wanted), slots=spoken_slots(context, offers))
    return {"ok": False, "status": status, "alternatives": slot_answers(context, offers), "message": message}


def slot_gone(context: FunctionContext, query, service: Service, start: datetime) -> Reply:
    """Booking found the slot taken: offer alternatives, or leave a callback so the caller is not lost."""
    reply = taken_reply(context, query, start)
    if reply["alternatives"]:
        return reply
    callback = leave_callback(context, service, start, "slot taken, no alternative found", "slot_gone")
    if callback is None:
        return reply
    return {
        **reply,
        "status": "callback_queued",
        "callback_id": callback.pk,
        "message": context.say("slot_gone_callback", when=context.moment(start)),
    }


def deferred_reply(context: FunctionContext, deferred: Exception, start: datetime) -> Reply:
    """Cal.com was down: the appointment service already turned the request into a callback."""
    return {
        "ok": False,
        "status": "callback_queued",
        "callback_id": deferred.callback.pk,
        "message": context.say("booking_deferred", when=context.moment(start)),
    }


def validation_reason(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def refusal(context: FunctionContext, error: ValidationError) -> Reply:
    if isinstance(error, appointment_services()[1].PolicyRefused):
        return {
            "ok": False,
            "status": "denied",
            "message": context.say("policy_refused", reason=error.check.reason),
        }
    reason = validation_reason(error)
    return {
        "ok": False,
        "status": "refused",
        "reason": reason,
        "message": context.say("booking_refused", reason=reason),
    }


def exact_start(context: FunctionContext, name: str = "when", time_name: str = "time") -> datetime:
    wish = context.future_when(name, extra=context.arg(time_name))
    if not wish.is_exact:
        raise context.ask(time_name, "ask_time")
    return wish.earliest


def appointment_item(context: FunctionContext, appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.pk,
        "service": appointment.service.name,
        "start": appointment.starts_at.isoformat(),
        "spoken": context.say(
            "appointment_item", service=appointment.service.name, when=context.moment(appointment.starts_at)
        ),
        "staff": appointment.staff.name if appointment.staff else "",
    }


def caller_upcoming(context: FunctionContext) -> list[Appointment]:
    from integrations.retell import selectors

    if context.customer is None:
        return []
    return selectors.upcoming_appointments(context.customer, now=timezone.now(), limit=5)
