"""How the Cal.com client behaves when Cal.com is slow, failing, throttling or refusing."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.calcom.errors import (
    CalcomAuthenticationFailed,
    CalcomNotFound,
    CalcomRateLimited,
    CalcomRequestRejected,
    CalcomUnavailable,
    NoSlotsAvailable,
    SlotTaken,
)
from integrations.calcom.types import Attendee
from tests.integrations.calcom.calcom_standin import SLOT_TAKEN_MESSAGE, Scripted, error_body, throttled

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
JONAS = Attendee(name="Jonas Weber", time_zone="Europe/Berlin", phone="+4915112345678")


def server_error(status: int = 500) -> Scripted:
    return Scripted(status, error_body(status, "InternalServerErrorException", "There was an error"))


def test_server_errors_are_retried_until_an_answer_comes(make_client, standin):
    standin.queue(server_error(502), server_error(500))

    me = make_client().me()

    assert me["username"] == "acme"
    assert len(standin.requests_to("/v2/me")) == 3


def test_persistent_server_errors_become_calcom_unavailable(make_client, standin):
    standin.queue(*[server_error(503)] * 3)

    with pytest.raises(CalcomUnavailable):
        make_client().me()
    assert len(standin.requests_to("/v2/me")) == 3


def test_slow_answers_time_out_and_are_retried(make_client, standin):
    standin.queue(Scripted(200, {"status": "success", "data": {}}, delay=1.0, path_prefix="/v2/slots"))

    slots = make_client().slots(
        event_type_id=7, start=MONDAY, end=MONDAY + timedelta(days=1), time_zone="Europe/Berlin"
    )

    assert len(slots) == 18
    assert len(standin.requests_to("/v2/slots")) == 2


def test_a_booking_whose_answer_was_lost_is_not_sent_twice(make_client, standin):
    """A read timeout on POST /bookings may hide a created booking: repeating it could double-book."""
    standin.response_delay = 1.0

    with pytest.raises(CalcomUnavailable):
        make_client().create_booking(
            event_type_id=7, start=MONDAY + timedelta(hours=8), attendee=JONAS, metadata={}
        )
    assert len(standin.requests_to("/v2/bookings")) == 1


def test_throttling_waits_for_the_reset_header_and_then_succeeds(make_client, standin):
    standin.queue(throttled(reset_seconds=1))

    started = time.monotonic()
    make_client().me()

    assert time.monotonic() - started >= 1.0
    assert len(standin.requests_to("/v2/me")) == 2


def test_throttling_longer_than_a_caller_can_wait_fails_fast_for_every_worker(make_client, standin):
    standin.queue(throttled(reset_seconds=40))
    first, second = make_client(), make_client()

    with pytest.raises(CalcomRateLimited) as raised:
        first.me()
    with pytest.raises(CalcomRateLimited):
        second.me()

    assert raised.value.retry_after == 40
    assert len(standin.requests_to("/v2/me")) == 1, "the blocked key must not be used by other workers"


def test_rate_limiter_keeps_one_key_under_its_budget_across_clients(make_client, standin):
    workers = [make_client(requests_per_minute=4, max_rate_wait=0.0) for _ in range(3)]

    for worker in [*workers, workers[0]]:
        worker.me()
    with pytest.raises(CalcomRateLimited):
        workers[1].me()

    assert len(standin.requests_to("/v2/me")) == 4


def test_a_smaller_limit_announced_by_calcom_is_honoured(make_client, standin):
    standin.queue(Scripted(200, {"status": "success", "data": {}}, {"X-RateLimit-Limit-Default": "2"}))
    client = make_client(max_rate_wait=0.0)

    client.me()
    client.me()
    with pytest.raises(CalcomRateLimited):
        client.me()
    assert len(standin.requests_to("/v2/me")) == 2


def test_a_taken_slot_is_told_apart_from_a_wrong_request(make_client, standin):
    client = make_client()
    standin.queue(Scripted(400, error_body(400, "BadRequestException", SLOT_TAKEN_MESSAGE)))
    with pytest.raises(SlotTaken) as taken:
        client.create_booking(event_type_id=7, start=MONDAY, attendee=JONAS, metadata={})
    standin.queue(Scripted(400, error_body(400, "BadRequestException", "attendee.timeZone must be valid")))
    with pytest.raises(CalcomRequestRejected) as rejected:
        client.create_booking(event_type_id=7, start=MONDAY, attendee=JONAS, metadata={})

    assert isinstance(taken.value, NoSlotsAvailable)
    assert not isinstance(rejected.value, NoSlotsAvailable)
    assert rejected.value.status_code == 400
    assert len(standin.requests_to("/v2/bookings")) == 2, "4xx answers are not retried"


def test_wrong_api_key_and_unknown_booking_have_their_own_errors(make_client, standin):
    client = make_client()
    standin.queue(Scripted(401, error_body(401, "UnauthorizedException", "Invalid API Key")))
    with pytest.raises(CalcomAuthenticationFailed):
        client.me()
    with pytest.raises(CalcomNotFound):
        client.get_booking("does-not-exist")


def test_a_refusal_does_not_count_as_an_outage(make_client, standin):
    client = make_client()
    for _ in range(6):
        with pytest.raises(CalcomNotFound):
            client.get_booking("does-not-exist")

    assert not client.circuit.is_open()


def test_an_answer_saying_the_budget_is_used_up_pauses_the_key_before_any_429(make_client, standin):
    exhausted = {
        "X-RateLimit-Limit-Default": "120",
        "X-RateLimit-Remaining-Default": "0",
        "X-RateLimit-Reset-Default": "30",
    }
    standin.queue(Scripted(200, {"status": "success", "data": {"username": "acme"}}, exhausted))
    client = make_client()

    client.me()
    with pytest.raises(CalcomRateLimited) as paused:
        client.me()

    assert 29 <= paused.value.retry_after <= 30
    assert len(standin.requests_to("/v2/me")) == 1
