"""Scenario 1, the other two intakes: Cal.com `BOOKING_CREATED` and Retell's inbound-call webhook.

Goals (issue 16, "the same for Cal.com BOOKING_CREATED and the inbound-call webhook"): at 100 connections
throughput >= 0.7 x the floor (the same bodies into the floor view, same run), at 8 connections p99 < 50 ms.
Every accepted booking becomes exactly one processed event and one appointment. The inbound webhook is
answered in the request (the agent's variables), so it has nothing to process afterwards.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

from integrations.calcom.signature import calcom_signature
from scripts.bench.company import CALCOM_SECRET, EVENT_TYPE_ID, HEADERS, NUMBER, signed
from scripts.bench.intake import drain, row
from scripts.bench.load import Request, run_wrk
from scripts.bench.stack import COMPANY, Stack
from scripts.bench.table import Goal, Row


def booking_created(uid: str, index: int, start: datetime) -> bytes:
    """A BOOKING_CREATED as Cal.com posts it (calcom.md §3), for the bench's mapped event type."""
    end = start + timedelta(minutes=30)
    payload = {
        "type": "leistung-01",
        "title": "Leistung 01",
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "endTime": end.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "organizer": {"name": "Bench Mitte", "email": "mitte@bench.test", "timeZone": "Europe/Berlin"},
        "attendees": [
            {
                "name": f"Kundin {index:06d}",
                "email": f"kundin{index:06d}@bench.test",
                "timeZone": "Europe/Berlin",
                "phoneNumber": f"+49153{index:08d}",
                "language": {"locale": "de"},
            }
        ],
        "uid": uid,
        "bookingId": 700_000 + index,
        "eventTypeId": EVENT_TYPE_ID,
        "length": 30,
        "status": "ACCEPTED",
        "metadata": {},
    }
    body = {"triggerEvent": "BOOKING_CREATED", "createdAt": start.isoformat(), "payload": payload}
    return json.dumps(body, ensure_ascii=False).encode()


def calcom_requests(prefix: str, count: int) -> list[Request]:
    """`count` signed bookings, each its own uid and half-hour, from tomorrow on."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    requests = []
    for index in range(count):
        body = booking_created(f"{prefix}_{index:06d}", index, first + timedelta(minutes=30 * index))
        headers = {**HEADERS, "X-Cal-Signature-256": calcom_signature(body, CALCOM_SECRET)}
        requests.append(Request("POST", f"/webhooks/calcom/{COMPANY}", headers, body))
    return requests


def inbound_requests(count: int) -> list[Request]:
    """`count` signed inbound-call webhooks to the bench's number, each from another caller."""
    bodies = (
        {
            "event": "call_inbound",
            "call_inbound": {"agent_id": "agent_bench", "from_number": f"+49154{i:08d}", "to_number": NUMBER},
        }
        for i in range(count)
    )
    return [signed("/webhooks/retell/inbound/", json.dumps(body).encode()) for body in bodies]


def as_floor(requests: list[Request]) -> list[Request]:
    return [Request("POST", "/bench/floor", HEADERS, request.body) for request in requests]


def calcom_exactly_once(stack: Stack, prefixes: list[str], accepted: int, sent: int, drained: float) -> Row:
    like = [f"{prefix}\\_%" for prefix in prefixes]
    events, once = stack.sql(
        "SELECT count(*), count(*) FILTER (WHERE status = 'processed' AND attempts = 1)"
        " FROM integrations_webhookevent WHERE source = 'calcom' AND external_id LIKE ANY(%s)",
        like,
    )[0]
    appointments = stack.scalar(
        "SELECT count(*) FROM appointments_appointment WHERE calcom_booking_uid LIKE ANY(%s)", like
    )
    counts = {
        "lost": max(0, accepted - events),
        "stored_not_sent": max(0, events - sent),
        "not_processed_once": events - once,
        "appointments_not_events": abs(appointments - events),
    }
    return Row(
        scenario="intake Cal.com: processed exactly once",
        load=f"{events} stored, {accepted} accepted",
        requests=events,
        errors=sum(counts.values()),
        goals=[Goal(name, "==", 0) for name in counts],
        extra={**counts, "sent": sent, "drain_seconds": round(drained, 1)},
    )


def run(stack: Stack, *, seconds: float, rate_guess: int) -> list[Row]:
    """For each intake: floor and intake at 100 connections, then both at 8; then Cal.com's count."""
    count = int(rate_guess * seconds)
    rows, prefixes, accepted, sent, drained = [], [], 0, 0, 0.0
    intakes = (("calcom", "intake: Cal.com BOOKING_CREATED"), ("inbound", "intake: Retell inbound"))
    for name, scenario in intakes:
        for connections in (100, 8):
            if name == "calcom":
                prefix = f"cal{connections}c{secrets.token_hex(3)}"
                requests = calcom_requests(prefix, count)
                prefixes.append(prefix)
            else:
                requests = inbound_requests(count)
            floor = run_wrk(stack.url, as_floor(requests), connections=connections, seconds=seconds)
            result = run_wrk(stack.url, requests, connections=connections, seconds=seconds)
            if name == "calcom":
                accepted, sent = accepted + result.accepted, sent + result.unique
                drained = max(drained, drain(stack))
            goal = Goal("ratio", ">=", 0.7) if connections == 100 else Goal("p99_ms", "<", 50, " ms")
            load = f"{connections} conn, {seconds:g} s"
            rows.append(row(f"floor: bare INSERT ({name} bodies)", load, floor, None, []))
            rows.append(row(scenario, load, result, floor, [goal]))
    rows.append(calcom_exactly_once(stack, prefixes, accepted, sent, drained))
    return rows
