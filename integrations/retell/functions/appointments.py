"""Functions about appointments: find, check availability, hold, book, cancel and move.

They call the appointment services and the policy engine (one door per change). Whenever the calendar
cannot be reached, nothing the caller wanted is lost: a callback request (source `booking_failure`)
carries it to a human, and the agent says so. Bookings are idempotent per call and slot, because Retell
may send the same function call again.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.models import Appointment, SlotHold
from callbacks.models import CallbackRequest
from common.phone import try_normalise_phone
from common.spoken_time import SpokenTime
from integrations.calcom.errors import CalcomError, CalcomUnavailable
from integrations.retell import speech
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from org.models import Customer, Service, Staff

logger = logging.getLogger(__name__)

PHONE_AGENT = "phone_agent"
MAX_OFFERED = 3


def _appointment_services():
    """Imported late: the URLconf must import even while a dependency is being changed."""
    from appointments import selectors, services

    return selectors, services


# --- helpers ----------------------------------------------------------------------------------------


def _slot_answers(context: FunctionContext, starts: list[datetime]) -> list[dict[str, str]]:
    return [{"start": start.isoformat(), "spoken": context.moment(start)} for start in starts]


def _spoken_slots(context: FunctionContext, starts: list[datetime]) -> str:
    return context.listing([context.moment(start) for start in starts], "or")


def _query(
    context: FunctionContext, service: Service, staff: Staff | None, exclude: Appointment | None = None
):
    selectors, _services = _appointment_services()
    return selectors.SlotQuery(
        service=service, branch=context.branch, staff=staff, customer=context.customer, exclude=exclude
    )


def _checked_staff(context: FunctionContext, service: Service) -> Staff | None:
    staff = context.staff()
    if staff is not None and not staff.services.filter(pk=service.pk).exists():
        raise ArgumentProblem(
            "staff", "staff_cannot", context.say("staff_cannot", staff=staff.name, service=service.name)
        )
    return staff


def _time_wish(wish: SpokenTime):
    from appointments.availability import ANY_TIME, TimeWish

    if wish.at is not None:
        return TimeWish(exact=wish.at)
    if wish.window is not None:
        return TimeWish(earliest=wish.window[0], latest=wish.window[1])
    return ANY_TIME


def _own_appointment_then(context: FunctionContext, start: datetime, service: Service) -> Appointment | None:
    if context.customer is None:
        return None
    end = start + timedelta(minutes=service.duration_minutes)
    return (
        Appointment.objects.filter(
            customer=context.customer,
            status__in=Appointment.ACTIVE_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .select_related("service")
        .first()
    )


def _leave_callback(
    context: FunctionContext, service: Service | None, wanted: datetime | None, note: str, kind: str
) -> CallbackRequest | None:
    """A callback request (source `booking_failure`) with what the caller wanted; None without a number."""
    from callbacks.services import callback_create

    phone = context.caller_phone or try_normalise_phone(context.arg("phone")) or ""
    if not phone or context.branch is None:
        return None
    when = context.moment(wanted) if wanted else ""
    created = callback_create(
        branch_id=context.branch.pk,
        phone=phone,
        customer_name=context.arg("name") or (context.customer.name if context.customer else ""),
        customer_id=context.customer.pk if context.customer else None,
        service_id=service.pk if service else None,
        notes=f"{service.name if service else ''} {when}: {note}".strip(),
        metadata={"retell_call_id": context.call.retell_call_id, "kind": kind},
        source="booking_failure",
        call_id=context.call.pk,
    )
    return created.callback


def _calendar_down(
    context: FunctionContext, service: Service | None, wanted: datetime | None, error: Exception
) -> Reply:
    """The calendar failed us: leave a callback request so the caller is not lost, and say so."""
    logger.warning("calendar unavailable during call %s: %s", context.call, error)
    callback = _leave_callback(context, service, wanted, str(error), "calendar_unavailable")
    if callback is None:
        return {"ok": False, "status": "calendar_unavailable", "message": context.say("error")}
    return {
        "ok": False,
        "status": "callback_queued",
        "callback_id": callback.pk,
        "message": context.say("calendar_unavailable"),
    }


def _slot_gone(context: FunctionContext, query, service: Service, start: datetime) -> Reply:
    """Booking found the slot taken: offer alternatives, or leave a callback so the caller is not lost."""
    reply = _taken_reply(context, query, start)
    if reply["alternatives"]:
        return reply
    callback = _leave_callback(context, service, start, "slot taken, no alternative found", "slot_gone")
    if callback is None:
        return reply
    return {
        **reply,
        "status": "callback_queued",
        "callback_id": callback.pk,
        "message": context.say("slot_gone_callback", when=context.moment(start)),
    }


def _alternatives(context: FunctionContext, query, wanted: datetime) -> list[datetime]:
    selectors, _services = _appointment_services()
    return [slot.start for slot in selectors.alternatives_for(query, wanted=wanted)][:MAX_OFFERED]


def _taken_reply(context: FunctionContext, query, wanted: datetime, status: str = "unavailable") -> Reply:
    offers = _alternatives(context, query, wanted)
    if not offers:
        return {
            "ok": False,
            "status": "no_availability",
            "alternatives": [],
            "message": context.say("no_slots"),
        }
    message = context.say("slot_taken", when=context.moment(wanted), slots=_spoken_slots(context, offers))
    return {"ok": False, "status": status, "alternatives": _slot_answers(context, offers), "message": message}


def _deferred(context: FunctionContext, deferred: Exception, start: datetime) -> Reply:
    """Cal.com was down: the appointment service already turned the request into a callback."""
    return {
        "ok": False,
        "status": "callback_queued",
        "callback_id": deferred.callback.pk,
        "message": context.say("booking_deferred", when=context.moment(start)),
    }


def _validation_reason(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- find -------------------------------------------------------------------------------------------


def _appointment_item(context: FunctionContext, appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.pk,
        "service": appointment.service.name,
        "start": appointment.starts_at.isoformat(),
        "spoken": context.say(
            "appointment_item", service=appointment.service.name, when=context.moment(appointment.starts_at)
        ),
        "staff": appointment.staff.name if appointment.staff else "",
    }


def _upcoming(context: FunctionContext) -> list[Appointment]:
    from integrations.retell import selectors

    if context.customer is None:
        return []
    return selectors.upcoming_appointments(context.customer, now=timezone.now(), limit=5)


def _find_by_name_and_date(context: FunctionContext) -> Reply:
    """Withheld number: only the time and service of the one appointment matching name and date."""
    name = context.arg("name")
    if not name or not context.arg("appointment"):
        raise context.ask("name", "ask_name_and_date")
    day = context.when("appointment").first_day
    start = datetime.combine(day, time(0), context.now.tzinfo)
    matches = list(
        Appointment.objects.filter(
            customer__name__iexact=name,
            customer__anonymised_at__isnull=True,
            status__in=Appointment.ACTIVE_STATUSES,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        ).select_related("service")[:2]
    )
    if len(matches) != 1:
        return {"ok": True, "appointments": [], "message": context.say("no_appointments")}
    local = matches[0].starts_at.astimezone(context.now.tzinfo)
    time_text = speech.spoken_time(local, context.language)
    return {
        "ok": True,
        "appointments": [{"service": matches[0].service.name, "time": local.strftime("%H:%M")}],
        "message": context.say("appointment_found_by_name", service=matches[0].service.name, time=time_text),
    }


def find_my_appointments(context: FunctionContext) -> Reply:
    if not context.caller_phone:
        return _find_by_name_and_date(context)
    upcoming = _upcoming(context)
    if not upcoming:
        return {"ok": True, "appointments": [], "message": context.say("no_appointments")}
    items = [_appointment_item(context, appointment) for appointment in upcoming]
    return {
        "ok": True,
        "appointments": items,
        "message": context.say("appointments", items=context.listing([i["spoken"] for i in items])),
    }


# --- availability -----------------------------------------------------------------------------------


def _check_exact(context: FunctionContext, query, service: Service, start: datetime) -> Reply:
    selectors, _services = _appointment_services()
    own = _own_appointment_then(context, start, service)
    if own is not None:
        message = context.say(
            "own_appointment_then", service=own.service.name, when=context.moment(own.starts_at)
        )
        reply = _taken_reply(context, query, start, status="own_appointment")
        return {**reply, "own_appointment_id": own.pk, "message": f"{message} {reply['message']}"}
    if selectors.slot_is_free(query, start=start):
        return {
            "ok": True,
            "status": "available",
            "available": True,
            "start": start.isoformat(),
            "message": context.say("slot_free", when=context.moment(start)),
        }
    return _taken_reply(context, query, start)


def _check_window(context: FunctionContext, query, wish: SpokenTime) -> Reply:
    selectors, _services = _appointment_services()
    first_day = max(wish.first_day, context.now.date())
    slots = selectors.availability_search(
        query, first_day=first_day, last_day=wish.last_day, wish=_time_wish(wish)
    )
    starts = [slot.start for slot in slots][:MAX_OFFERED]
    if starts:
        return {
            "ok": True,
            "status": "available",
            "available": True,
            "slots": _slot_answers(context, starts),
            "message": context.say("slots", slots=_spoken_slots(context, starts)),
        }
    return _taken_reply(context, query, max(wish.earliest, context.now), status="no_availability")


def check_availability(context: FunctionContext) -> Reply:
    """Free times for a service on a day, in a window ("vormittags") or at an exact time (+ alternatives)."""
    service = context.service()
    staff = _checked_staff(context, service)
    wish = context.future_when("when", extra=context.arg("time"))
    query = _query(context, service, staff)
    try:
        if wish.is_exact:
            return _check_exact(context, query, service, wish.earliest)
        return _check_window(context, query, wish)
    except ValidationError as error:
        if "service" in getattr(error, "error_dict", {}):  # no Cal.com event type: cannot book by phone
            return _calendar_down(context, service, wish.earliest, error)
        raise ArgumentProblem("when", "invalid_argument", _validation_reason(error)) from error
    except CalcomError as error:
        return _calendar_down(context, service, wish.earliest, error)


def find_next_available(context: FunctionContext) -> Reply:
    selectors, _services = _appointment_services()
    service = context.service()
    staff = _checked_staff(context, service)
    after = context.future_when("after") if context.arg("after") else None
    query = _query(context, service, staff)
    first_day = after.first_day if after else context.now.date()
    try:
        slots = selectors.availability_search(
            query,
            first_day=first_day,
            last_day=first_day + timedelta(days=14),
            wish=_time_wish(after) if after else _time_wish_any(),
        )
    except (CalcomError, ValidationError) as error:
        return _calendar_down(context, service, after.earliest if after else None, error)
    earliest = after.earliest if after else context.now
    starts = [slot.start for slot in slots if slot.start >= earliest][:1]
    if not starts:
        return {"ok": False, "status": "no_availability", "message": context.say("no_slots")}
    return {
        "ok": True,
        "status": "available",
        "next_available": _slot_answers(context, starts)[0],
        "message": context.say("next_free", when=context.moment(starts[0])),
    }


def _time_wish_any():
    from appointments.availability import ANY_TIME

    return ANY_TIME


# --- holds ------------------------------------------------------------------------------------------


def _exact_start(context: FunctionContext, name: str = "when", time_name: str = "time") -> datetime:
    wish = context.future_when(name, extra=context.arg(time_name))
    if not wish.is_exact:
        raise context.ask(time_name, "ask_time")
    return wish.earliest


def reserve_slot(context: FunctionContext) -> Reply:
    _selectors, services = _appointment_services()
    service = context.service()
    staff = _checked_staff(context, service)
    start = _exact_start(context)
    try:
        hold = services.slot_hold(
            service=service,
            branch=context.branch,
            starts_at=start,
            staff=staff,
            customer=context.customer,
            call_id=context.call.pk,
        )
    except services.SlotNotFree:
        return _taken_reply(context, _query(context, service, staff), start)
    except (CalcomError, ValidationError) as error:
        return _calendar_down(context, service, start, error)
    minutes = max(1, round((hold.expires_at - timezone.now()).total_seconds() / 60))
    return {
        "ok": True,
        "status": "reserved",
        "reservation_uid": hold.reservation_uid,
        "until": hold.expires_at.isoformat(),
        "start": start.isoformat(),
        "message": context.say("slot_held", when=context.moment(start), minutes=minutes),
    }


def _held_by_this_call(context: FunctionContext) -> SlotHold | None:
    holds = SlotHold.objects.filter(call=context.call, status=SlotHold.Status.HELD)
    uid = context.arg("reservation")
    return (holds.filter(reservation_uid=uid) if uid else holds).order_by("-created_at").first()


def release_slot(context: FunctionContext) -> Reply:
    """Only a hold made during this call can be released by it."""
    _selectors, services = _appointment_services()
    hold = _held_by_this_call(context)
    if hold is None:
        raise context.ask("reservation", "ask_reservation")
    services.slot_hold_release(hold=hold)
    return {"ok": True, "status": "released", "message": context.say("slot_released")}


# --- booking ----------------------------------------------------------------------------------------


def _booking_customer(context: FunctionContext) -> Customer:
    """The caller's record, or a new one from the name (and phone/email) they gave."""
    from org.services import customer_create

    phone = try_normalise_phone(context.arg("phone")) if context.arg("phone") else context.caller_phone
    if context.arg("phone") and not phone:
        raise ArgumentProblem("phone", "invalid_argument", context.say("invalid_phone"))
    known = (
        context.customer if context.customer and (not phone or str(context.customer.phone) == phone) else None
    )
    known = known or (
        Customer.objects.filter(phone=phone, anonymised_at__isnull=True).order_by("id").first()
        if phone
        else None
    )
    if known is not None:
        return known
    name = context.require("name", "ask_name")
    email = context.arg("email").replace(" at ", "@").replace(" ", "")
    if not phone and not email:
        raise context.ask("phone", "ask_phone")
    try:
        return customer_create(name=name, phone=phone or "", email=email)
    except ValidationError as error:
        field_name = "email" if "email" in getattr(error, "error_dict", {}) else "phone"
        raise ArgumentProblem(field_name, "invalid_argument", context.say("invalid_phone")) from error


def _hold_for(context: FunctionContext, start: datetime, service: Service) -> SlotHold | None:
    return SlotHold.objects.filter(
        call=context.call, status=SlotHold.Status.HELD, starts_at=start, service=service
    ).first()


def book_appointment(context: FunctionContext) -> Reply:
    _selectors, services = _appointment_services()
    service = context.service()
    staff = _checked_staff(context, service)
    start = _exact_start(context)
    customer = _booking_customer(context)
    context.customer = customer  # the rest of this call's checks look at who is being booked
    key = f"retell:{context.call.retell_call_id}:{service.pk}:{start.isoformat()}"
    try:
        appointment = services.appointment_book(
            customer=customer,
            service=service,
            branch=context.branch,
            starts_at=start,
            staff=staff,
            source=PHONE_AGENT,
            call_id=context.call.pk,
            notes=context.arg("notes"),
            idempotency_key=key,
            hold=_hold_for(context, start, service),
        )
    except services.SlotNotFree:
        return _slot_gone(context, _query(context, service, staff), service, start)
    except services.AppointmentDeferred as deferred:
        return _deferred(context, deferred, start)
    except CalcomUnavailable as error:
        return _calendar_down(context, service, start, error)
    except ValidationError as error:
        return _refusal(context, error)
    return {
        "ok": True,
        "status": "booked",
        "appointment_id": appointment.pk,
        "start": appointment.starts_at.isoformat(),
        "message": context.say("booked", service=service.name, when=context.moment(appointment.starts_at)),
    }


# --- cancel and reschedule --------------------------------------------------------------------------


def _target_appointment(context: FunctionContext) -> Appointment:
    """The caller's own appointment they mean: by id, by date, or their only upcoming one."""
    if not context.caller_phone or context.customer is None:
        raise ArgumentProblem("appointment", "not_found", context.say("no_appointments"))
    upcoming = _upcoming(context)
    wanted_id = context.arg("appointment_id")
    if wanted_id:
        upcoming = [a for a in upcoming if str(a.pk) == wanted_id]
    elif context.arg("appointment") and len(upcoming) > 1:
        day = context.when("appointment", ask_key="ask_appointment").first_day
        upcoming = [a for a in upcoming if a.starts_at.astimezone(context.now.tzinfo).date() == day]
    if not upcoming:
        raise ArgumentProblem("appointment", "not_found", context.say("no_appointments"))
    if len(upcoming) > 1:
        items = context.listing([_appointment_item(context, a)["spoken"] for a in upcoming], "or")
        raise ArgumentProblem(
            "appointment",
            "multiple_found",
            context.say("several_appointments", items=items),
            appointments=[_appointment_item(context, a) for a in upcoming],
        )
    return upcoming[0]


def _fee_text(context: FunctionContext, fee) -> str:
    return speech.spoken_amount(fee.amount, fee.currency, context.language)


def _policy_gate(
    context: FunctionContext, check, appointment: Appointment, confirm_key: str, **params
) -> Reply | None:
    """The policy's refusal, or the fee question when a fee applies and the caller has not confirmed."""
    if not check.allowed:
        return {
            "ok": False,
            "status": "denied",
            "policy": check.to_json(),
            "message": context.say("policy_refused", reason=check.reason),
        }
    if check.fee.is_zero or context.flag("confirm"):
        return None
    fee = _fee_text(context, check.fee)
    return {
        "ok": False,
        "status": "needs_confirmation",
        "appointment_id": appointment.pk,
        "fee": check.fee.to_json(),
        "message": context.say(confirm_key, fee=fee, **params),
    }


def _refusal(context: FunctionContext, error: ValidationError) -> Reply:
    if isinstance(error, _appointment_services()[1].PolicyRefused):
        return {
            "ok": False,
            "status": "denied",
            "message": context.say("policy_refused", reason=error.check.reason),
        }
    reason = _validation_reason(error)
    return {
        "ok": False,
        "status": "refused",
        "reason": reason,
        "message": context.say("booking_refused", reason=reason),
    }


def _with_fee(context: FunctionContext, message: str, check) -> str:
    return (
        message
        if check.fee.is_zero
        else message + context.say("fee_applies", fee=_fee_text(context, check.fee))
    )


def cancel_appointment(context: FunctionContext) -> Reply:
    """Ask the policy engine; a fee needs `confirm: true` first; a refusal gives the policy's reason."""
    from policies.services import can_cancel

    _selectors, services = _appointment_services()
    appointment = _target_appointment(context)
    check = can_cancel(appointment, by=PHONE_AGENT)
    stop = _policy_gate(context, check, appointment, "fee_confirm_cancel")
    if stop is not None:
        return stop
    when, service_name = context.moment(appointment.starts_at), appointment.service.name
    try:
        services.appointment_cancel(appointment=appointment, by=PHONE_AGENT, reason=context.arg("reason"))
    except ValidationError as error:
        return _refusal(context, error)
    message = _with_fee(context, context.say("cancelled", service=service_name, when=when), check)
    return {
        "ok": True,
        "status": "cancelled",
        "appointment_id": appointment.pk,
        "fee": check.fee.to_json(),
        "message": message,
    }


def _new_start(context: FunctionContext, appointment: Appointment) -> SpokenTime:
    return context.future_when("new_when", extra=context.arg("new_time"), ask_key="ask_new_when")


def reschedule_appointment(context: FunctionContext) -> Reply:
    from policies.services import can_reschedule

    _selectors, services = _appointment_services()
    appointment = _target_appointment(context)
    wish = _new_start(context, appointment)
    query = _query(context, appointment.service, appointment.staff, exclude=appointment)
    if not wish.is_exact:
        try:
            return _check_window(context, query, wish)
        except CalcomError as error:
            return _calendar_down(context, appointment.service, wish.earliest, error)
    new_start = wish.earliest
    check = can_reschedule(appointment, new_start, by=PHONE_AGENT)
    stop = _policy_gate(context, check, appointment, "fee_confirm_reschedule", when=context.moment(new_start))
    if stop is not None:
        return stop
    key = f"retell:{context.call.retell_call_id}:move:{appointment.pk}:{new_start.isoformat()}"
    try:
        moved = services.appointment_reschedule(
            appointment=appointment,
            new_start=new_start,
            by=PHONE_AGENT,
            reason=context.arg("reason"),
            idempotency_key=key,
        )
    except services.SlotNotFree:
        return _taken_reply(context, query, new_start)
    except services.AppointmentDeferred as deferred:
        return _deferred(context, deferred, new_start)
    except CalcomUnavailable as error:
        return _calendar_down(context, appointment.service, new_start, error)
    except ValidationError as error:
        return _refusal(context, error)
    moved_to = context.moment(moved.starts_at)
    message = _with_fee(context, context.say("rescheduled", service=moved.service.name, when=moved_to), check)
    return {
        "ok": True,
        "status": "rescheduled",
        "appointment_id": moved.pk,
        "start": moved.starts_at.isoformat(),
        "fee": check.fee.to_json(),
        "message": message,
    }
