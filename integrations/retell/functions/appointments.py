"""Functions about the caller's own appointments: find, book, cancel and move.

They call the appointment services and the policy engine (one door per change). Whenever the calendar
cannot be reached, nothing the caller wanted is lost: a callback request (source `booking_failure`)
carries it to a human, and the agent says so. Bookings are idempotent per call and slot, because Retell
may send the same function call again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError

from appointments.models import Appointment, SlotHold
from integrations.calcom.errors import CalcomError, CalcomUnavailable
from integrations.retell import speech
from integrations.retell.functions.availability import check_window
from integrations.retell.functions.calendar import (
    PHONE_AGENT,
    appointment_item,
    appointment_services,
    calendar_down,
    caller_upcoming,
    checked_staff,
    deferred_reply,
    exact_start,
    leave_callback,
    refusal,
    slot_gone,
    slot_query,
    taken_reply,
)
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from integrations.retell.spoken_time import SpokenTime
from org.models import Customer, Service


def _find_by_name_and_date(context: FunctionContext) -> Reply:
    """Withheld number: only the time and service of the one appointment matching name and date."""
    name = context.arg("name")
    if not name or not context.arg("appointment"):
        raise context.ask("name", "ask_name_and_date")
    day = context.when("appointment").first_day
    start = datetime.combine(day, time(0), context.now.tzinfo)
    matches = list(
        Appointment.objects.active()
        .filter(
            customer__name__iexact=name,
            customer__anonymised_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .select_related("service")[:2]
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
    upcoming = caller_upcoming(context)
    if not upcoming:
        return {"ok": True, "appointments": [], "message": context.say("no_appointments")}
    items = [appointment_item(context, appointment) for appointment in upcoming]
    return {
        "ok": True,
        "appointments": items,
        "message": context.say("appointments", items=context.listing([i["spoken"] for i in items])),
    }


def _booking_customer(context: FunctionContext) -> Customer | None:
    """The stored caller's record, or a new one from the name they gave (and email when withheld).

    None for a withheld caller who only dictated a number: it may be someone else's, so it is never
    matched to a record nor made into one; a callback to that number confirms the booking instead.
    """
    from org.services import customer_create

    if context.customer is not None:
        return context.customer
    name = context.require("name", "ask_name")
    email = context.arg("email").replace(" at ", "@").replace(" ", "")
    if not context.caller_phone and not email:
        if context.dictated_phone():
            return None
        raise context.ask("phone", "ask_phone")
    try:
        return customer_create(name=name, phone=context.caller_phone, email=email)
    except ValidationError as error:
        field_name = "email" if "email" in getattr(error, "error_dict", {}) else "phone"
        raise ArgumentProblem(field_name, "invalid_argument", context.say("invalid_phone")) from error


def _hold_for(context: FunctionContext, start: datetime, service: Service) -> SlotHold | None:
    return SlotHold.objects.filter(
        call=context.call, status=SlotHold.Status.HELD, starts_at=start, service=service
    ).first()


def _booking_by_callback(context: FunctionContext, service: Service, start: datetime) -> Reply:
    callback = leave_callback(context, service, start, "booking wish, number given by the caller", "booking")
    return {
        "ok": False,
        "status": "callback_queued",
        "callback_id": callback.pk if callback else None,
        "message": context.say("booking_by_callback", when=context.moment(start)),
    }


def book_appointment(context: FunctionContext) -> Reply:
    _selectors, services = appointment_services()
    branch = context.require_branch()
    service = context.service()
    staff = checked_staff(context, service)
    start = exact_start(context)
    customer = _booking_customer(context)
    if customer is None:
        return _booking_by_callback(context, service, start)
    context.customer = customer  # the rest of this call's checks look at who is being booked
    key = f"retell:{context.call.retell_call_id}:{service.pk}:{start.isoformat()}"
    try:
        appointment = services.appointment_book(
            customer=customer,
            service=service,
            branch=branch,
            starts_at=start,
            staff=staff,
            source=PHONE_AGENT,
            call_id=context.call.pk,
            notes=context.arg("notes"),
            idempotency_key=key,
            hold=_hold_for(context, start, service),
        )
    except services.SlotNotFree:
        return slot_gone(context, slot_query(context, service, staff), service, start)
    except services.AppointmentDeferred as deferred:
        return deferred_reply(context, deferred, start)
    except CalcomUnavailable as error:
        return calendar_down(context, service, start, error)
    except ValidationError as error:
        return refusal(context, error)
    return {
        "ok": True,
        "status": "booked",
        "appointment_id": appointment.pk,
        "start": appointment.starts_at.isoformat(),
        "message": context.say("booked", service=service.name, when=context.moment(appointment.starts_at)),
    }


def _target_appointment(context: FunctionContext) -> Appointment:
    """The caller's own appointment they mean: by id, by date, or their only upcoming one."""
    if not context.caller_phone:
        raise ArgumentProblem("appointment", "identity_needed", context.say("identity_needed"))
    if context.customer is None:
        raise ArgumentProblem("appointment", "not_found", context.say("no_appointments"))
    upcoming = caller_upcoming(context)
    wanted_id = context.arg("appointment_id")
    if wanted_id:
        upcoming = [a for a in upcoming if str(a.pk) == wanted_id]
    elif context.arg("appointment") and len(upcoming) > 1:
        day = context.when("appointment", ask_key="ask_appointment").first_day
        upcoming = [a for a in upcoming if a.starts_at.astimezone(context.now.tzinfo).date() == day]
    if not upcoming:
        raise ArgumentProblem("appointment", "not_found", context.say("no_appointments"))
    if len(upcoming) > 1:
        items = context.listing([appointment_item(context, a)["spoken"] for a in upcoming], "or")
        raise ArgumentProblem(
            "appointment",
            "multiple_found",
            context.say("several_appointments", items=items),
            appointments=[appointment_item(context, a) for a in upcoming],
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


def _with_fee(context: FunctionContext, message: str, check) -> str:
    return (
        message
        if check.fee.is_zero
        else message + context.say("fee_applies", fee=_fee_text(context, check.fee))
    )


def cancel_appointment(context: FunctionContext) -> Reply:
    """Ask the policy engine; a fee needs `confirm: true` first; a refusal gives the policy's reason."""
    from policies.services import can_cancel

    _selectors, services = appointment_services()
    appointment = _target_appointment(context)
    check = can_cancel(appointment, by=PHONE_AGENT)
    stop = _policy_gate(context, check, appointment, "fee_confirm_cancel")
    if stop is not None:
        return stop
    when, service_name = context.moment(appointment.starts_at), appointment.service.name
    try:
        services.appointment_cancel(appointment=appointment, by=PHONE_AGENT, reason=context.arg("reason"))
    except ValidationError as error:
        return refusal(context, error)
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

    _selectors, services = appointment_services()
    appointment = _target_appointment(context)
    wish = _new_start(context, appointment)
    query = slot_query(context, appointment.service, appointment.staff, exclude=appointment)
    if not wish.is_exact:
        try:
            return check_window(context, query, wish)
        except CalcomError as error:
            return calendar_down(context, appointment.service, wish.earliest, error, appointment.branch)
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
        return taken_reply(context, query, new_start)
    except services.AppointmentDeferred as deferred:
        return deferred_reply(context, deferred, new_start)
    except CalcomUnavailable as error:
        return calendar_down(context, appointment.service, new_start, error, appointment.branch)
    except ValidationError as error:
        return refusal(context, error)
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
