"""Drill: Cal.com times out or answers 503 while Dana is on the phone (issue 17, item 4, last bullet).

The calendar is the Cal.com stand-in, a real HTTP server on its own thread, told to go down and to
recover. Dana's in-call functions are posted and signed as Retell posts them. Expected: each function
answers within the time our Cal.com client is configured to spend, the circuit opens after
`circuit_threshold` failed calls, and from then on the agent gets its answer without asking Cal.com. Dana
is left a callback request. After recovery, the breaker's half-open probe books again.
"""

import time
import uuid

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.redis import get_redis
from integrations.calcom.client import calcom_client_for_current_company
from tests.factories.appointments import EventTypeMappingFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.integrations.retell.conftest import DANA_PHONE, acme, call_function, retell_client  # noqa: F401

pytestmark = pytest.mark.drill

RETELL_BUDGET = (
    10.0  # s: what we allow an in-call function (Retell's webhook timeout; the caller waits in silence)
)
CALCOM_CLIENT = {
    "connect_timeout": 0.5,
    "read_timeout": 1.0,
    "attempts": 2,
    "backoff_base": 0.01,
    "backoff_max": 0.02,
    "circuit_threshold": 2,
    "circuit_cooldown": 1.0,
}
# The longest one logical Cal.com call may take with these settings (a hung read, retried): a function
# answers within this while the circuit is still closed, and in a small part of it once it is open.
CALL_BUDGET = CALCOM_CLIENT["attempts"] * (
    CALCOM_CLIENT["connect_timeout"] + CALCOM_CLIENT["read_timeout"] + CALCOM_CLIENT["backoff_max"]
)


@pytest.fixture
def calendar(acme, settings, clock):  # noqa: F811
    server = CalcomStandIn().start()
    acme.company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.company.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {"base_url": server.url, **CALCOM_CLIENT},
    }
    EventTypeMappingFactory(service=acme.branch.services.get(name="Beratung"), event_type_id=4242)
    forget_redis_state(acme.company.schema_name)
    yield server
    server.stop()
    forget_redis_state(acme.company.schema_name)


def forget_redis_state(schema: str) -> None:
    """The breaker and slot cache live in Redis, which outlives the test's rolled-back transaction."""
    for key in get_redis().scan_iter(f"sb:{schema}:*"):
        get_redis().delete(key)


@pytest.fixture
def run(call_function):  # noqa: F811
    """Dana's in-call function: (its JSON answer, seconds until it came)."""

    def timed(name: str, args: dict, call_id: str = "call_outage") -> tuple[dict, float]:
        started = time.perf_counter()
        reply = call_function(name, args, call_id=call_id)
        return reply, time.perf_counter() - started

    return timed


def circuit_open(acme) -> bool:  # noqa: F811
    with tenant_context(acme.company):
        return calcom_client_for_current_company().circuit.is_open()


def wait_until(condition, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.mark.parametrize("outage", ["hang", "unavailable"])
def test_calcom_down_in_a_call_opens_the_circuit_answers_at_once_leaves_a_callback_and_books_after_recovery(
    calendar,
    acme,  # noqa: F811
    run,
    outage,
):
    calendar.go_down(outage)

    # Closed circuit: each function tries Cal.com, gives up within our budget and offers a callback.
    # (A failed window is remembered for a few seconds, so each question asks about another day.)
    for day in ("morgen", "übermorgen", "Montag")[: CALCOM_CLIENT["circuit_threshold"]]:
        reply, took = run("check_availability", {"service": "Beratung", "date": day, "time": "10 Uhr"})
        assert reply["status"] == "callback_queued", reply
        assert took < CALL_BUDGET + 0.5 < RETELL_BUDGET
        if circuit_open(acme):
            break
    assert circuit_open(acme)

    # Open circuit: the agent's answer comes without asking Cal.com.
    asked_before = len(calendar.seen)
    reply, took = run("book_appointment", {"service": "Beratung", "date": "morgen um 10"})
    assert reply["status"] == "callback_queued", reply
    assert took < CALCOM_CLIENT["connect_timeout"], "answered at once, not after a Cal.com attempt"
    assert len(calendar.seen) == asked_before
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get(pk=reply["callback_id"])
        assert (callback.source, str(callback.phone)) == ("booking_failure", DANA_PHONE)
        assert not Appointment.objects.exists()

    # Recovery: after the cooldown, the half-open probe goes through and the booking is made.
    calendar.recover()
    wait_until(lambda: not circuit_open(acme), seconds=CALCOM_CLIENT["circuit_cooldown"] + 2)
    # Dana calls again (one call's repeated question is answered as before) for a day no failure is
    # remembered for (a failed slot window is, for `SlotCache.FAILURE_SECONDS`).
    reply, took = run("book_appointment", {"service": "Beratung", "date": "Montag um 10"}, "call_again")
    assert reply["status"] == "booked", reply
    assert took < CALL_BUDGET
    with tenant_context(acme.company):
        booked = Appointment.objects.get()
        assert booked.calcom_booking_uid in calendar.booked
    assert not circuit_open(acme)
