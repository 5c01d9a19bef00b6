"""Drill: PostgreSQL restarts while Retell delivers call events (issue 17, item 4, first bullet).

The drill's own PostgreSQL is stopped (`pg_ctl stop -m fast`) and started again under a steady stream of
signed `call_ended` deliveries to gunicorn (production settings). Expected: while it is gone every request
gets 503 with Retry-After (Retell retries), never a 500; gunicorn serves again after the start without a
restart; every delivery answered 2xx is stored, and each one answered 503 is stored once when Retell sends
it again. Processing tasks that hit the dead database are retried within seconds: no beat runs here, and
the sweep would only look at events ten minutes old, so the retry alone processes them, within a minute.
"""

import re
import time
import uuid

import pytest

from tests.drills.conftest import Intake, call_ended, caller, wait_until

pytestmark = pytest.mark.drill

QUEUED_BEFORE_THE_OUTAGE = 5
ANSWERS_DURING_THE_OUTAGE = 8
RETRIED_WITHIN_SECONDS = 60
RETRIED_ON_A_DEAD_DATABASE = re.compile(
    r"Task retell\.process_call_event\[[-0-9a-f]+\] retry: Retry in \d+s: OperationalError"
)


def stored(stack, call_ids: list[str]) -> dict[str, tuple[str, int]]:
    """Status and attempts of the stored events of these calls."""
    rows = stack.sql(
        "SELECT external_id, status, attempts FROM integrations_webhookevent WHERE external_id = ANY(%s)",
        call_ids,
    )
    return {external_id: (status, attempts) for external_id, status, attempts in rows}


def test_postgres_restart_answers_503_then_recovers_stores_every_accepted_event_and_retries_processing(
    drill_stack, drill_web, drill_worker
):
    worker = drill_worker()  # no beat: nothing but the task's own retry can process what failed
    prefix = f"call_pg_{uuid.uuid4().hex[:8]}"
    intake = Intake(drill_web, prefix)

    # Jobs the worker has not run yet when the database goes: it is paused, their messages wait in Redis.
    worker.pause()
    queued = [
        intake.post(call_ended(f"{prefix}_queued_{i}", caller(90_000 + i)))
        for i in range(QUEUED_BEFORE_THE_OUTAGE)
    ]
    assert [answer.status for answer in queued] == [204] * QUEUED_BEFORE_THE_OUTAGE

    intake.start()
    drill_stack.postgres.stop()
    stopped_at = time.monotonic()
    worker.resume()  # takes the queued jobs, which find the database gone
    wait_until(lambda: intake.count(503) >= ANSWERS_DURING_THE_OUTAGE, "deliveries answered 503")
    wait_until(
        lambda: RETRIED_ON_A_DEAD_DATABASE.search(worker.log_text()),
        "a processing task that hit the dead database is queued again",
    )
    health = drill_web.healthz()
    drill_stack.postgres.start()
    started_at = time.monotonic()
    outage = started_at - stopped_at
    accepted_before = intake.count(204)
    wait_until(lambda: intake.count(204) >= accepted_before + 20, "deliveries accepted again after the start")
    intake.stop()
    drill_web.assert_alive()

    assert health.status_code == 503
    answers = intake.answers
    assert {answer.status for answer in answers} <= {204, 503}, [
        a for a in answers if a.status not in (204, 503)
    ]
    unavailable = intake.with_status(503)
    assert all(answer.retry_after and int(answer.retry_after) > 0 for answer in unavailable)
    assert all(answer.error for answer in unavailable), "a JSON error says why"

    # Every delivery answered 2xx is stored; every one answered 503 is stored once Retell sends it again.
    accepted = [answer.call_id for answer in intake.with_status(204)]  # the queued five included
    assert set(stored(drill_stack, accepted)) == set(accepted)
    again = [intake.post(answer.body) for answer in unavailable]
    assert {answer.status for answer in again} == {204}
    everything = accepted + [answer.call_id for answer in unavailable]
    assert drill_stack.scalar(
        "SELECT count(*) FROM integrations_webhookevent WHERE external_id = ANY(%s)", everything
    ) == len(everything)

    # Processed by the retries, well before the ten-minute sweep could have looked at them.
    wait_until(
        lambda: {status for status, _ in stored(drill_stack, everything).values()} == {"processed"},
        "every stored event processed",
        seconds=RETRIED_WITHIN_SECONDS,
    )
    assert time.monotonic() - started_at < RETRIED_WITHIN_SECONDS
    assert drill_stack.scalar(
        "SELECT count(*) FROM calls_call WHERE retell_call_id = ANY(%s)", everything
    ) == len(everything)
    print(f"outage {outage:.1f} s, {len(answers)} deliveries, {len(unavailable)} answered 503")
