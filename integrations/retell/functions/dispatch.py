"""Run the function Retell asked for and record what happened on the call.

Always an answer the agent can speak (HTTP 200), never a 500: the call must go on. Every invocation is
stored (name, arguments, result, duration) as a FunctionInvocation on the call, including failures; a
function that fails leaves that record and nothing else (its writes are rolled back).
"""

import logging
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import transaction

from calls.services import call_ensure, call_record_function
from integrations.retell import phrases, speech
from integrations.retell.functions import appointments, availability, info
from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from integrations.retell.payloads import FunctionCall
from integrations.retell.routing import Route

logger = logging.getLogger(__name__)

Function = Callable[[FunctionContext], Reply]

FUNCTIONS: dict[str, Function] = {
    "check_customer": info.check_customer,
    "list_services": info.list_services,
    "get_service_info": info.get_service_info,
    "get_opening_hours": info.get_opening_hours,
    "parse_date": info.parse_date,
    "request_callback": info.request_callback,
    "find_my_appointments": appointments.find_my_appointments,
    "check_availability": availability.check_availability,
    "find_next_available": availability.find_next_available,
    "reserve_slot": availability.reserve_slot,
    "release_slot": availability.release_slot,
    "book_appointment": appointments.book_appointment,
    "cancel_appointment": appointments.cancel_appointment,
    "reschedule_appointment": appointments.reschedule_appointment,
}
# These reach Cal.com. They run without an outer transaction: a booking's idempotency check relies on the
# first booking being committed, and rolling back a row Cal.com already knows would lose track of it; their
# services undo what Cal.com did when the local write fails. Every other function runs in a savepoint.
CALENDAR_FUNCTIONS = frozenset(
    {
        "find_my_appointments",
        "check_availability",
        "find_next_available",
        "reserve_slot",
        "release_slot",
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
    }
)
ALIASES = {
    "query_appointment": "find_my_appointments",
    "query_appointment_by_name": "find_my_appointments",
    "get_alternatives": "check_availability",
    "release_slot_reservation": "release_slot",
    "start_booking": "book_appointment",
}


def function_named(name: str) -> tuple[str, Function | None]:
    """Our name for what the agent called ("book_appointment_v17" and old aliases included)."""
    cleaned = re.sub(r"_v\d+$", "", name.strip().lower())
    cleaned = ALIASES.get(cleaned, cleaned)
    return cleaned, FUNCTIONS.get(cleaned)


def _unknown(context: FunctionContext, name: str) -> Reply:
    return {
        "ok": False,
        "status": "unknown_function",
        "message": context.say("unknown_function"),
        "available_functions": sorted(FUNCTIONS),
    }


def _effects(name: str) -> AbstractContextManager:
    """A failing function's writes are undone, except where Cal.com is involved (see CALENDAR_FUNCTIONS)."""
    return nullcontext() if name in CALENDAR_FUNCTIONS else transaction.atomic()


def _perform(context: FunctionContext, name: str, function: Function | None) -> tuple[Reply, str]:
    """The reply and, when something broke, the error to record (the caller only hears an apology)."""
    if function is None:
        return _unknown(context, name), ""
    try:
        with speech.speaking(context.language), _effects(name):
            return function(context), ""
    except ArgumentProblem as problem:
        return problem.reply, ""
    except Exception as error:  # the call must go on; the trace goes to the log and the admin
        logger.exception("Retell function %s failed on call %s", name, context.call)
        reply = {"ok": False, "status": "error", "message": phrases.say("error", context.language)}
        return reply, f"{type(error).__name__}: {error}"[:2000]


def run_function(*, request: FunctionCall, route: Route) -> dict[str, Any]:
    """Dispatch by name; the connection is on the route's company schema."""
    started = time.monotonic()
    try:
        call = call_ensure(data=request.call, branch_id=route.branch_id)
    except Exception:  # without the call nothing can be recorded; the caller still gets an answer
        logger.exception("Retell function %s: the call could not be stored", request.name)
        return {
            "ok": False,
            "status": "error",
            "message": phrases.say("error", speech.language_of(route.company.language)),
        }
    context = FunctionContext(call=call, route=route, request=request, args=request.args)
    name, function = function_named(request.name)
    reply, error = _perform(context, name, function)
    call_record_function(
        call=call,
        name=name,
        arguments=request.args,
        result=reply,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error,
    )
    return reply
