"""A caller on the line gets an answer within the in-call deadline, however long Cal.com hangs (issue 17).

Retell waits 10 s for an in-call function. Our Cal.com client, left to its worker settings (connect 2 s,
read 6 s, 3 attempts), could spend about 25 s on a hung Cal.com before giving up. While a caller waits,
all Cal.com calls of one function share `CALCOM_CLIENT.in_call_deadline`: attempts are cut to what is
left, no retry starts without `in_call_min_attempt` left, and then the function answers as for Cal.com
down (a callback request). Here the platform's production settings are used unchanged, only pointed at the
Cal.com stand-in, which is told to hang (accept the connection, answer nothing).
"""

import time
import uuid

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.redis import get_redis
from integrations.calcom.client import calcom_client_for_current_company
from integrations.calcom.transport import ClientSettings
from tests.factories.appointments import EventTypeMappingFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.integrations.retell.conftest import DANA_PHONE
from tests.personas import WEDNESDAY_10

RETELL_WAITS = 10.0  # s, Retell's timeout for an in-call function (shared/integrations/retell.md)
# What may come after the deadline: storing the callback request and the invocation, and the HTTP round trip.
MARGIN = 1.0


def _forget_redis_state(schema: str) -> None:
    """The breaker and slot cache live in Redis, which outlives the test's rolled-back transaction."""
    for key in get_redis().scan_iter(f"sb:{schema}:*"):
        get_redis().delete(key)


@pytest.fixture
def hung_calcom(acme, settings, clock):
    """Acme's Cal.com (the stand-in) with the platform's own client settings, hanging until the end.

    The personas' clock ticks from Wednesday 10:00 here: stopped, it would also stop `time.monotonic`,
    which deadlines (ours and tenacity's) are measured with.
    """
    clock.move_to(WEDNESDAY_10, tick=True)
    server = CalcomStandIn().start()
    acme.company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.company.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "CALCOM_CLIENT": {"base_url": server.url}}
    EventTypeMappingFactory(service=acme.branch.services.get(name="Beratung"), event_type_id=4242)
    _forget_redis_state(acme.company.schema_name)
    server.go_down("hang")
    yield server
    server.stop()
    _forget_redis_state(acme.company.schema_name)


def timed(call_function, name: str, args: dict) -> tuple[dict, float]:
    started = time.monotonic()
    reply = call_function(name, args, call_id=f"call_{name}")
    return reply, time.monotonic() - started


def callback_left_for_dana(acme, reply: dict) -> CallbackRequest:
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get(pk=reply["callback_id"])
        assert not Appointment.objects.exists()
    return callback


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("check_availability", {"service": "Beratung", "date": "morgen", "time": "10 Uhr"}),
        ("book_appointment", {"service": "Beratung", "date": "morgen um 10"}),
    ],
)
def test_a_hung_calendar_is_answered_within_the_in_call_deadline_with_a_callback_request(
    hung_calcom, acme, call_function, function, args
):
    deadline = ClientSettings().in_call_deadline
    assert deadline + MARGIN < RETELL_WAITS, "the production default leaves Retell's budget room"
    assert ClientSettings().attempts * ClientSettings().read_timeout > RETELL_WAITS, "else nothing to prove"

    reply, took = timed(call_function, function, args)

    assert took < deadline + MARGIN, f"answered after {took:.2f} s"
    assert (reply["ok"], reply["status"]) == (False, "callback_queued"), reply
    callback = callback_left_for_dana(acme, reply)
    assert (callback.source, str(callback.phone)) == ("booking_failure", DANA_PHONE)
    # The read that hung used up the deadline: no second attempt was started.
    assert len(hung_calcom.requests_to("/v2/slots")) == 1
    assert not hung_calcom.requests_to("/v2/bookings")


def test_a_company_sets_its_own_in_call_deadline(hung_calcom, acme, call_function):
    acme.company.settings = {"CALCOM_CLIENT": {"in_call_deadline": 2.5}}
    acme.company.save(update_fields=["settings"])

    reply, took = timed(call_function, "check_availability", {"service": "Beratung", "date": "morgen"})

    assert took < 2.5 + MARGIN, f"answered after {took:.2f} s"
    assert reply["status"] == "callback_queued", reply
    callback_left_for_dana(acme, reply)


def test_workers_and_the_admin_keep_their_longer_settings(hung_calcom, acme):
    with tenant_context(acme.company):
        client = calcom_client_for_current_company()

    assert client.time_left() is None, "no caller waits: no deadline"
    assert client.settings == ClientSettings(base_url=hung_calcom.url)
