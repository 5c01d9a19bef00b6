"""Availability functions: free times for a wish (exact, a window, a range of days), the next free time,
and 5-minute holds while the caller decides. Calendar failures leave a callback request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.models import SlotHold
from integrations.calcom.errors import CalcomError
from integrations.retell.functions.calendar import (
    MAX_OFFERED,
    appointment_services,
    calendar_down,
    checked_staff,
    exact_start,
    own_appointment_then,
    slot_answers,
    slot_query,
    spoken_slots,
    taken_reply,
    time_wish,
    validation_reason,
)
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from integrations.retell.spoken_time import SpokenTime
from org.models import Service


def _check_exact(context: FunctionContext, query, service: Service, start: datetime) -> Reply:
    selectors, _services = appointment_services()
    own = own_appointment_then(context, start, service)
    if own is not None:
        message = context.say(
            "own_appointment_then", service=own.service.name, when=context.moment(own.starts_at)
        )
        reply = taken_reply(context, query, start, status="own_appointment")
        return {**reply, "own_appointment_id": own.pk, "message": f"{message} {reply['message']}"}
    if selectors.slot_is_free(query, start=start):
        return {
            "ok": True,
            "status": "available",
            "available": True,
            "start": start.isoformat(),
            "message": context.say("slot_free", when=context.moment(start)),
        }
    return taken_reply(context, query, start)


def spread_over_days(starts: list[datetime], tz, limit: int = MAX_OFFERED) -> list[datetime]:
    """For a wish spanning several days, the first free time of each day ("Monday 9, Tuesday 9, ...")
    rather than three neighbouring slots of the first day; for one day, its first slots."""
    first_per_day: dict = {}
    for start in starts:
        first_per_day.setdefault(start.astimezone(tz).date(), start)
    if len(first_per_day) > 1:
        return list(first_per_day.values())[:limit]
    return starts[:limit]


def check_window(context: FunctionContext, query, wish: SpokenTime) -> Reply:
    selectors, _services = appointment_services()
    first_day = max(wish.first_day, context.now.date())
    slots = selectors.availability_search(
        query, first_day=first_day, last_day=wish.last_day, wish=time_wish(wish)
    )
    starts = spread_over_days([slot.start for slot in slots], context.now.tzinfo)
    if starts:
        return {
            "ok": True,
            "status": "available",
            "available": True,
            "slots": slot_answers(context, starts),
            "message": context.say("slots", slots=spoken_slots(context, starts)),
        }
    return taken_reply(context, query, max(wish.earliest, context.now), status="no_availability")


def check_availability(context: FunctionContext) -> Reply:
    """Free times for a service on a day, in a window ("vormittags") or at an exact time (+ alternatives)."""
    context.require_branch()
    service = context.service()
    staff = checked_staff(context, service)
    wish = context.future_when("when", extra=context.arg("time"))
    query = slot_query(context, service, staff)
    try:
        if wish.is_exact:
            return _check_exact(context, query, service, wish.earliest)
        return check_window(context, query, wish)
    except ValidationError as error:
        if "service" in getattr(error, "error_dict", {}):  # no Cal.com event type: cannot book by phone
            return calendar_down(context, service, wish.earliest, error)
        raise ArgumentProblem("when", "invalid_argument", validation_reason(error)) from error
    except CalcomError as error:
        return calendar_down(context, service, wish.earliest, error)


def find_next_available(context: FunctionContext) -> Reply:
    selectors, _services = appointment_services()
    context.require_branch()
    service = context.service()
    staff = checked_staff(context, service)
    after = context.future_when("after") if context.arg("after") else None
    query = slot_query(context, service, staff)
    first_day = after.first_day if after else context.now.date()
    try:
        slots = selectors.availability_search(
            query,
            first_day=first_day,
            last_day=first_day + timedelta(days=14),
            wish=time_wish(after),
        )
    except (CalcomError, ValidationError) as error:
        return calendar_down(context, service, after.earliest if after else None, error)
    earliest = after.earliest if after else context.now
    starts = [slot.start for slot in slots if slot.start >= earliest][:1]
    if not starts:
        return {"ok": False, "status": "no_availability", "message": context.say("no_slots")}
    return {
        "ok": True,
        "status": "available",
        "next_available": slot_answers(context, starts)[0],
        "message": context.say("next_free", when=context.moment(starts[0])),
    }


def reserve_slot(context: FunctionContext) -> Reply:
    _selectors, services = appointment_services()
    branch = context.require_branch()
    service = context.service()
    staff = checked_staff(context, service)
    start = exact_start(context)
    try:
        hold = services.slot_hold(
            service=service,
            branch=branch,
            starts_at=start,
            staff=staff,
            customer=context.customer,
            call_id=context.call.pk,
        )
    except services.SlotNotFree:
        return taken_reply(context, slot_query(context, service, staff), start)
    except (CalcomError, ValidationError) as error:
        return calendar_down(context, service, start, error)
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
    return (holds.filter(reservation_uid=uid) if uid else holds).order_by("-created_at", "-id").first()


def release_slot(context: FunctionContext) -> Reply:
    """Only a hold made during this call can be released by it."""
    _selectors, services = appointment_services()
    hold = _held_by_this_call(context)
    if hold is None:
        raise context.ask("reservation", "ask_reservation")
    services.slot_hold_release(hold=hold)
    return {"ok": True, "status": "released", "message": context.say("slot_released")}
