"""Scenario 3, in-call `check_availability` with a Cal.com stand-in answering after 150 ms.

Goals (issue 16): p95 < 200 ms cold (every request a service and day nobody asked for yet: one Cal.com
fetch each) and < 30 ms warm (the same service and day again and again: the slot cache answers). The
stand-in is the tests' (tests/integrations/calcom/calcom_standin.py), run in this process; gunicorn is
pointed at it with SWITCHBOARD_CALCOM_CLIENT, the platform's own setting.

Cal.com allows 120 requests a minute per API key and says so in its X-RateLimit headers (the stand-in
too); our client's rate limiter keeps to that budget. In 30 s the 600 cold wishes got 110-121 fetches (the
JSON's calcom_fetches; a trial with requests_per_minute raised still got 121); the others were answered as
a busy calendar ("request budget used up") without a fetch. So a company's cold checks are bounded by its
Cal.com budget, whatever our latency, and the cold row mixes fetches with those answers.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, timedelta

import httpx

from scripts.bench.company import NUMBER, SERVICES, signed
from scripts.bench.intake import row
from scripts.bench.load import Request, run_wrk
from scripts.bench.stack import Stack
from scripts.bench.table import Goal, Row
from tests.integrations.calcom.calcom_standin import CalcomStandIn

CALCOM_DELAY_SECONDS = 0.150
CONNECTIONS = 8
WEEKDAYS_AHEAD = 10  # open days with slots (a closed day or one far ahead is answered without Cal.com)
PATH = "/webhooks/retell/functions/"


def function_call(call_id: str, service: str, day: date) -> bytes:
    call = {
        "call_type": "phone_call",
        "call_id": call_id,
        "agent_id": "agent_bench",
        "call_status": "ongoing",
        "direction": "inbound",
        "from_number": "+4915199990000",
        "to_number": NUMBER,
        "start_timestamp": 1767279600512,
    }
    args = {"service": service, "when": day.isoformat()}
    return json.dumps({"name": "check_availability", "args": args, "call": call}, ensure_ascii=False).encode()


def cold_requests(prefix: str) -> list[Request]:
    """One request per service and open day (60 x 10): none finds another's slots in the cache."""
    days = [next_weekday()]
    while len(days) < WEEKDAYS_AHEAD:
        days.append(next_weekday(after=days[-1]))
    wishes = [(service, day) for day in days for service in SERVICES]
    return [signed(PATH, function_call(f"{prefix}_{i:05d}", *wish)) for i, wish in enumerate(wishes)]


def next_weekday(after: date | None = None) -> date:
    """The first weekday after `after` (today): the stand-in's calendar and the branch are open Mon-Fri."""
    day = (after or date.today()) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def warm_requests(prefix: str, count: int) -> list[Request]:
    day = next_weekday()
    return [signed(PATH, function_call(f"{prefix}_{i:05d}", SERVICES[0], day)) for i in range(count)]


def answer_of(stack: Stack, request: Request) -> dict:
    """One request outside the load: the harness checks the scenario answers what it claims to measure."""
    response = httpx.post(stack.url + request.path, content=request.body, headers=request.headers, timeout=30)
    response.raise_for_status()
    return response.json()


def run(stack: Stack, *, seconds: float, rate_guess: int) -> list[Row]:
    standin = CalcomStandIn().start()
    standin.response_delay = CALCOM_DELAY_SECONDS
    stack.restart_web(SWITCHBOARD_CALCOM_CLIENT=json.dumps({"base_url": standin.url}))
    try:
        prefix = f"avail{secrets.token_hex(3)}"
        warm = warm_requests(f"{prefix}w", max(1000, int(rate_guess * seconds)))
        first = answer_of(stack, warm[0])  # fills the cache for the warm load; must be an offer of slots
        if first.get("status") != "available":
            raise RuntimeError(f"check_availability answered {first}, not slots")
        load = f"{CONNECTIONS} conn, {seconds:g} s"
        cold = run_wrk(stack.url, cold_requests(f"{prefix}c"), connections=CONNECTIONS, seconds=seconds)
        fetches = len(standin.requests_to("/v2/slots"))
        hot = run_wrk(stack.url, warm[1:], connections=CONNECTIONS, seconds=seconds)
    finally:
        standin.stop()
        stack.restart_web()
    rows = [
        row("in-call check_availability cold", load, cold, None, [Goal("p95_ms", "<", 200, " ms")]),
        row("in-call check_availability warm", load, hot, None, [Goal("p95_ms", "<", 30, " ms")]),
    ]
    rows[0].extra.update(calcom_fetches=fetches, distinct_wishes=len(SERVICES) * WEEKDAYS_AHEAD)
    return rows
