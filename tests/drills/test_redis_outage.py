"""Drills: Redis stopped, and Redis hung, while Retell calls us (issue 17, item 4, second and third bullets).

The drill's own redis-server is the cache and the Celery broker of gunicorn (production settings) and of a
Celery worker. Stopped: Retell's deliveries are still accepted and stored; nothing can be queued, so when
Redis is back the sweep (sent once, as beat would) processes each stored event exactly once. Hung (SIGSTOP:
connections are accepted, nothing is answered): every delivery, the inbound webhook and an in-call function
answer within 2 s, because each Redis call gives up after a short timeout and the event is stored before
Redis is asked anything; after SIGCONT the sweep processes what was stored.

The worker treats every unprocessed event as stuck (SWITCHBOARD_RETELL_STUCK_EVENT_MINUTES=0) so the sweep
need not wait the ten production minutes.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from common.tasks import FAN_OUT_TASK
from integrations.retell.tasks import SWEEP_TASK
from tests.drills.conftest import NUMBER, call_analyzed, call_ended, call_payload, caller, wait_until

pytestmark = pytest.mark.drill

CALLS = 12
ANSWER_WITHIN_SECONDS = 2.0  # Retell's own limit is 10 s; a caller hears silence meanwhile
SWEPT_WORKER = {"SWITCHBOARD_RETELL_STUCK_EVENT_MINUTES": "0"}


def events_of(stack, call_ids: list[str]) -> list[tuple[str, str, str, int]]:
    """(call id, event, status, attempts) of every stored event of these calls."""
    return stack.sql(
        "SELECT external_id, event, status, attempts FROM integrations_webhookevent"
        " WHERE external_id = ANY(%s) ORDER BY id",
        call_ids,
    )


def sweep_once(stack, call_ids: list[str]) -> None:
    """The sweep, fanned out to every company as beat sends it, until each event is processed."""
    stack.send_task(FAN_OUT_TASK, SWEEP_TASK)
    wait_until(
        lambda: {status for _, _, status, _ in events_of(stack, call_ids)} == {"processed"},
        "the sweep processed every stored event",
    )


def callbacks_of(stack, call_ids: list[str]) -> int:
    return stack.scalar(
        "SELECT count(*) FROM callbacks_callbackrequest WHERE metadata->>'retell_call_id' = ANY(%s)", call_ids
    )


def test_redis_stopped_webhooks_are_stored_and_the_sweep_processes_each_event_once_when_it_returns(
    drill_stack, drill_web, drill_worker
):
    drill_worker(**SWEPT_WORKER)
    prefix = f"call_stopped_{uuid.uuid4().hex[:8]}"
    call_ids = [f"{prefix}_{i}" for i in range(CALLS)]
    deliveries = [call_ended(call_id, caller(i)) for i, call_id in enumerate(call_ids)]
    deliveries += [call_analyzed(call_id, caller(i)) for i, call_id in enumerate(call_ids)]

    drill_stack.redis.stop()
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda body: drill_web.post("/webhooks/retell/", body), deliveries))
        health = drill_web.healthz()
    finally:
        drill_stack.redis.start()

    assert [answer.status_code for answer in answers] == [204] * len(deliveries)
    assert health.status_code == 503 and health.json()["redis"].startswith("down")
    stored = events_of(drill_stack, call_ids)
    assert len(stored) == 2 * CALLS
    assert {status for _, _, status, _ in stored} == {"received"}, "nothing could be queued"

    sweep_once(drill_stack, call_ids)
    assert {attempts for *_, attempts in events_of(drill_stack, call_ids)} == {1}
    assert (
        drill_stack.scalar("SELECT count(*) FROM calls_call WHERE retell_call_id = ANY(%s)", call_ids)
        == CALLS
    )
    assert callbacks_of(drill_stack, call_ids) == CALLS, "one callback request per unsuccessful call"


def timed(post) -> tuple[int, float, dict]:
    started = time.monotonic()
    response = post()
    return response.status_code, time.monotonic() - started, response.json() if response.content else {}


def test_redis_hung_intake_inbound_and_functions_answer_within_2_s_and_events_are_processed_after(
    drill_stack, drill_web, drill_worker
):
    drill_worker(**SWEPT_WORKER)
    prefix = f"call_hung_{uuid.uuid4().hex[:8]}"
    warm_up = f"{prefix}_warm"
    # Gunicorn's workers hold open connections to Redis (broker, cache): the hang meets them mid-use.
    assert drill_web.post("/webhooks/retell/", call_ended(warm_up, caller(70_000))).status_code == 204
    wait_until(lambda: events_of(drill_stack, [warm_up])[0][2] == "processed", "the warm-up is processed")

    call_ids = [f"{prefix}_{i}" for i in range(4)]
    dana = caller(71_000)
    drill_stack.redis.pause()
    try:
        deliveries = [
            timed(lambda call_id=call_id: drill_web.post("/webhooks/retell/", call_ended(call_id, dana)))
            for call_id in call_ids
        ]
        inbound = timed(
            lambda: drill_web.post(
                "/webhooks/retell/inbound/",
                {"event": "call_inbound", "call_inbound": {"from_number": dana, "to_number": NUMBER}},
            )
        )
        function = timed(
            lambda: drill_web.post(
                "/webhooks/retell/functions/",
                {
                    "name": "request_callback",
                    "args": {"reason": "Termin verschieben"},
                    "call": {**call_payload(f"{prefix}_live", caller=dana), "call_status": "ongoing"},
                },
            )
        )
    finally:
        drill_stack.redis.resume()

    assert [(status, seconds < ANSWER_WITHIN_SECONDS) for status, seconds, _ in deliveries] == [
        (204, True)
    ] * 4, [round(seconds, 2) for _, seconds, _ in deliveries]
    status, seconds, answer = inbound
    assert (status, seconds < ANSWER_WITHIN_SECONDS) == (200, True), (seconds, answer)
    assert answer["call_inbound"]["dynamic_variables"]["company_name"] == "Drill Praxis"
    status, seconds, answer = function
    assert (status, seconds < ANSWER_WITHIN_SECONDS) == (200, True), (seconds, answer)
    assert (answer["ok"], answer["status"]) == (True, "created"), answer
    print(
        "answered in", [round(s, 2) for _, s, _ in [*deliveries, inbound, function]], "s; function:", answer
    )

    assert {status for _, _, status, _ in events_of(drill_stack, call_ids)} == {"received"}
    sweep_once(drill_stack, call_ids)
    assert {attempts for *_, attempts in events_of(drill_stack, call_ids)} == {1}
    assert drill_stack.scalar("SELECT count(*) FROM calls_call WHERE retell_call_id = ANY(%s)", call_ids) == 4
