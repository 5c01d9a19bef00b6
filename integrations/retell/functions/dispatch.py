"""Run the function Retell asked for and record what happened on the call.

Always an answer the agent can speak (HTTP 200), never a 500: the call must go on. Every invocation is
stored (name, arguments, result, duration) as a FunctionInvocation on the call, including failures; a
function that fails leaves that record and nothing else (its writes are rolled back).

A request must carry the numbers stored for its call id, or it is refused (a borrowed call id reaches
nobody's records). Retell may send the same request again: a replay (same call id, function and
arguments as the call's last kept invocation) gets that stored answer and runs nothing. The same request
after another one (reserve, release, reserve again) is a new step and runs.

Retell waits 10 s for the answer: the function's Cal.com calls share one deadline counted from the
request's arrival (`caller_waiting`, `CALCOM_CLIENT.in_call_deadline`); when it passes, the function
answers as for Cal.com down (a callback request is made).
"""

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from django.db import connection, transaction

from calls.models import Call, FunctionInvocation
from calls.services import call_ensure, call_record_function
from common.audit import PHONE_AGENT, acting_as
from common.db.locks import advisory_lock
from common.phone import try_normalise_phone
from integrations.calcom.client import caller_waiting
from integrations.retell import phrases, speech
from integrations.retell.functions import appointments, availability, info, preferences
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
    "record_opt_out": preferences.record_opt_out,
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
CALL_NUMBERS_DIFFER = "The request's numbers differ from those stored for this call id."
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
        with speech.speaking(context.language), acting_as(PHONE_AGENT), _effects(name):
            return function(context), ""
    except ArgumentProblem as problem:
        return problem.reply, ""
    except Exception as error:  # the call must go on; the trace goes to the log and the admin
        logger.exception("Retell function %s failed on call %s", name, context.call)
        reply = {"ok": False, "status": "error", "message": phrases.say("error", context.language)}
        return reply, f"{type(error).__name__}: {error}"[:2000]


def _number(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return try_normalise_phone(text) or text


def _same_numbers(call: Call, data: dict[str, Any]) -> bool:
    """Does the request name the call's own numbers (as stored when the call started)?"""
    same_from = _number(call.from_number) == _number(data.get("from_number"))
    return same_from and _number(call.to_number) == _number(data.get("to_number"))


def request_fingerprint(call_id: str, name: str, args: dict[str, Any]) -> str:
    canonical = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{call_id}\n{name}\n{canonical}".encode()).hexdigest()


def _last_kept(call: Call) -> FunctionInvocation | None:
    """The call's latest invocation that answers replays (failures and refusals are not kept)."""
    return call.function_invocations.exclude(fingerprint="").order_by("-id").first()


def _is_replay(last: FunctionInvocation | None, name: str, args: dict[str, Any]) -> bool:
    return last is not None and last.name == name and last.arguments == args


def _step_fingerprint(request_key: str, last: FunctionInvocation | None) -> str:
    """Unique per request and place in the call: two concurrent copies of one step collide in the
    database's unique constraint, a later repeat of the same request does not."""
    return hashlib.sha256(f"{request_key}:{last.pk if last else 0}".encode()).hexdigest()


@contextmanager
def _one_at_a_time(key: str) -> Iterator[None]:
    """Concurrent replays of one request wait for the first to be stored, then get its answer."""
    if not key:
        yield
        return
    with advisory_lock(f"retell-function:{connection.schema_name}:{key}"):
        yield


def _refuse(call: Call, name: str, request: FunctionCall, route: Route, started: float) -> dict[str, Any]:
    """A call id with other numbers than its own: recorded, answered with an apology, nothing else."""
    logger.warning("Retell function %s refused: numbers differ from call %s", name, call)
    language = speech.language_of(route.company.language)
    reply = {"ok": False, "status": "refused", "message": phrases.say("error", language)}
    _record(call, name, request, reply, started, CALL_NUMBERS_DIFFER)
    return reply


def _record(
    call: Call, name: str, request: FunctionCall, reply: dict, started: float, error: str, key: str = ""
) -> dict[str, Any]:
    return call_record_function(
        call=call,
        name=name,
        arguments=request.args,
        result=reply,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error,
        fingerprint=key,
    ).result


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
    name, function = function_named(request.name)
    if not _same_numbers(call, request.call):
        return _refuse(call, name, request, route, started)
    request_key = request_fingerprint(call.retell_call_id, name, request.args)
    with _one_at_a_time(request_key):
        last = _last_kept(call)
        if _is_replay(last, name, request.args):
            return last.result
        context = FunctionContext(call=call, route=route, request=request, args=request.args)
        with caller_waiting(since=started):
            reply, error = _perform(context, name, function)
        # A failure is not kept for replays: the same request may succeed when it comes again.
        key = "" if error else _step_fingerprint(request_key, last)
        return _record(call, name, request, reply, started, error, key)
