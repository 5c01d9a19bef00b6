"""Scenario 1, intake: Retell `call_ended` with a 20 kB transcript, pre-signed, a new call id each.

Goals (issue 16): at 100 connections throughput >= 0.7 x the floor (the same body into the floor view);
at 8 connections p99 < 50 ms; afterwards every accepted event processed exactly once (status processed,
one attempt, one Call per event).
"""

from __future__ import annotations

import json
import secrets
import time

from scripts.bench.company import HEADERS, NUMBER, signed
from scripts.bench.load import Request, Result, run_wrk
from scripts.bench.stack import Stack
from scripts.bench.table import Goal, Row
from tests.drills.conftest import wait_until

TRANSCRIPT_BYTES = 20_000
DRAIN_SECONDS = 600

_TURNS = (
    "Agent: Praxis Bench, guten Tag, was kann ich für Sie tun?\n"
    "User: Ich möchte meinen Termin am Donnerstag verschieben, geht das auch nächste Woche?\n"
    "Agent: Gern. Darf ich Ihren Namen und Ihr Geburtsdatum erfahren?\n"
    "User: Müller, Jürgen, dritter März neunzehnhundertachtzig.\n"
)


def transcript() -> str:
    """About 20 kB of German dialogue (umlauts: the body is UTF-8, as Retell sends it)."""
    text = _TURNS * (TRANSCRIPT_BYTES // len(_TURNS.encode()) + 1)
    return text.encode()[:TRANSCRIPT_BYTES].decode(errors="ignore")


def call_ended(call_id: str, caller: str, text: str) -> bytes:
    call = {
        "call_type": "phone_call",
        "call_id": call_id,
        "agent_id": "agent_bench",
        "call_status": "ended",
        "direction": "inbound",
        "from_number": caller,
        "to_number": NUMBER,
        "start_timestamp": 1767279600512,
        "end_timestamp": 1767279702288,
        "duration_ms": 101776,
        "disconnection_reason": "user_hangup",
        "transcript": text,
    }
    return json.dumps({"event": "call_ended", "call": call}, ensure_ascii=False).encode()


def intake_requests(prefix: str, count: int, path: str = "/webhooks/retell/") -> list[Request]:
    """`count` signed deliveries, each a new call of a new caller (signed now: valid for 5 minutes)."""
    text = transcript()
    requests = []
    for index in range(count):
        requests.append(signed(path, call_ended(f"{prefix}_{index:06d}", f"+49152{index:08d}", text)))
    return requests


def floor_requests(count: int) -> list[Request]:
    """The same bodies into the floor view (unsigned: it checks nothing)."""
    return [Request("POST", "/bench/floor", HEADERS, r.body) for r in intake_requests("floor", count)]


def row(scenario: str, load: str, result: Result, floor: Result | None, goals: list[Goal]) -> Row:
    """A table row of one wrk run; no answer at all leaves the latencies unmeasured (so a goal on them is
    MISSED, never met by a zero)."""
    answered = result.requests > 0
    return Row(
        scenario=scenario,
        load=load,
        p50_ms=result.p50_ms if answered else None,
        p95_ms=result.p95_ms if answered else None,
        p99_ms=result.p99_ms if answered else None,
        throughput=result.throughput,
        requests=result.requests,
        errors=result.errors,
        floor=floor.throughput if floor else None,
        goals=goals,
        extra={"unique_requests": result.unique},
    )


PENDING = "SELECT count(*) FROM integrations_webhookevent WHERE status IN ('received', 'processing')"


def drain(stack: Stack) -> float:
    """Seconds until the worker has processed every stored event (so the next load runs on a quiet box)."""
    started = time.monotonic()
    wait_until(lambda: stack.scalar(PENDING) == 0, "the worker processed every event", seconds=DRAIN_SECONDS)
    return time.monotonic() - started


def exactly_once(stack: Stack, prefixes: list[str], accepted: int, sent: int, drained: float) -> Row:
    """Count: every accepted delivery stored (none lost), nothing stored that was not sent, every stored
    event processed with one attempt, one Call per event. wrk cuts requests in flight at the end of a
    load, so stored lies between accepted (answered 2xx) and sent."""
    like = [f"{prefix}\\_%" for prefix in prefixes]
    events, once = stack.sql(
        "SELECT count(*), count(*) FILTER (WHERE status = 'processed' AND attempts = 1)"
        " FROM integrations_webhookevent WHERE external_id LIKE ANY(%s)",
        like,
    )[0]
    calls = stack.scalar("SELECT count(*) FROM calls_call WHERE retell_call_id LIKE ANY(%s)", like)
    counts = {
        "lost": max(0, accepted - events),
        "stored_not_sent": max(0, events - sent),
        "not_processed_once": events - once,
        "calls_not_events": abs(calls - events),
    }
    return Row(
        scenario="intake: processed exactly once",
        load=f"{events} stored, {accepted} accepted",
        requests=events,
        errors=sum(counts.values()),
        goals=[Goal(name, "==", 0) for name in counts],
        extra={**counts, "sent": sent, "drain_seconds": round(drained, 1)},
    )


def run(stack: Stack, *, seconds: float, rate_guess: int) -> list[Row]:
    """Floor and intake at 100 connections, then both at 8, then the exactly-once count."""
    count = int(rate_guess * seconds)
    rows, prefixes, accepted, sent, drained = [], [], 0, 0, 0.0
    for connections, goals in ((100, "ratio"), (8, "p99")):
        floor = run_wrk(stack.url, floor_requests(count), connections=connections, seconds=seconds)
        prefix = f"bench{connections}c{secrets.token_hex(3)}"
        intake = run_wrk(stack.url, intake_requests(prefix, count), connections=connections, seconds=seconds)
        prefixes.append(prefix)
        accepted, sent = accepted + intake.accepted, sent + intake.unique
        drained = max(drained, drain(stack))
        goal = Goal("ratio", ">=", 0.7) if goals == "ratio" else Goal("p99_ms", "<", 50, " ms")
        load = f"{connections} conn, {seconds:g} s"
        rows.append(row("floor: bare INSERT, same body", load, floor, None, []))
        rows.append(row("intake: Retell call_ended 20 kB", load, intake, floor, [goal]))
    rows.append(exactly_once(stack, prefixes, accepted, sent, drained))
    return rows
