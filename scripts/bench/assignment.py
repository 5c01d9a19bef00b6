"""Scenario 4, auto-assignment of 10,000 new callbacks across 50 staff with the bench's 2 worker processes.

Goals (issue 16): every callback assigned within 20 s of the first one's creation, and nobody over their
maximum of open callbacks. The callbacks are created as production creates them (`callback_create`,
whose `callback.created` event queues `callbacks.auto_assign` after the commit) by BENCH_ASSIGN_CREATORS
(2) Django shells at once, like intake requests arriving on several web workers; the bench polls the
database until the last one is assigned or BENCH_ASSIGN_TIMEOUT (120 s) has passed since the first was
created (the shells stop creating then too), which is a MISSED row, never a hang. The branch is open
around the clock, so its 50 staff are on duty whenever the bench runs (`assignment.on_duty_now`); their
maxima differ (85 %–125 % of an even share, 105 % on average), so the maximum binds for some of them.
"""

from __future__ import annotations

import json
import os
import threading
import time

from scripts.bench.stack import COMPANY, Stack
from scripts.bench.table import Goal, Row

CALLBACKS = int(os.environ.get("BENCH_ASSIGN_CALLBACKS", "10000"))
STAFF = 50
CREATORS = int(os.environ.get("BENCH_ASSIGN_CREATORS", "2"))
TIMEOUT = float(os.environ.get("BENCH_ASSIGN_TIMEOUT", "120"))
BRANCH = "Bench Zentrale"
SHARES = (0.85, 0.95, 1.05, 1.15, 1.25)  # of an even share: the capacity binds for the first fifth

SETUP = """
import math
from datetime import time
from django_tenants.utils import tenant_context
from org.models import Branch
from org.services import opening_hours_set, staff_ensure
from tenants.models import Company

with tenant_context(Company.objects.get(schema_name="{company}")):
    branch, _ = Branch.objects.get_or_create(name="{branch}")
    around_the_clock = [(time(0), time(23, 59, 59, 999999))]
    opening_hours_set(branch=branch, week={{day: around_the_clock for day in range(7)}})
    even = {callbacks} / {staff}
    for number in range({staff}):
        maximum = math.ceil(even * {shares}[number % len({shares})])
        staff_ensure(
            email=f"zentrale{{number:02d}}@bench.example",
            name=f"Zentrale {{number:02d}}",
            branches=(branch,),
            max_open_callbacks=maximum,
        )
    print(branch.pk)
"""

CREATE = """
import json, time
from django_tenants.utils import tenant_context
from callbacks.services import callback_create
from tenants.models import Company

first, created = None, 0
with tenant_context(Company.objects.get(schema_name="{company}")):
    for number in range({start}, {stop}):
        if first and time.time() > first + {timeout}:
            break  # the bench's timeout: the row says how many were created
        callback_create(
            branch_id={branch_id},
            phone=f"+49160{{number:08d}}",
            customer_name=f"Anrufer {{number}}",
            notes="Bitte um Rückruf",
            source="phone_agent",
        )
        first, created = first or time.time(), created + 1
print(json.dumps({{"first": first, "last": time.time(), "created": created}}))
"""

STARTUP = 300  # seconds for the shells to create the first callback on a busy machine
PROGRESS = """
SELECT count(*) FILTER (WHERE status = 'assigned'), extract(epoch FROM min(created_at))
FROM callbacks_callbackrequest WHERE branch_id = %s
"""
LATENCIES = """
SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY assigned_at - created_at)
FROM callbacks_callbackrequest WHERE branch_id = %s AND assigned_at IS NOT NULL
"""
OVER_CAPACITY = """
SELECT count(*) FILTER (WHERE open > s.max_open_callbacks), max(open), sum(s.max_open_callbacks)
FROM org_staff s
JOIN org_staff_branches sb ON sb.staff_id = s.id AND sb.branch_id = %s
CROSS JOIN LATERAL (
    SELECT count(*) AS open FROM callbacks_callbackrequest c
    WHERE c.assigned_to_id = s.id AND c.deleted_at IS NULL AND c.status IN ('assigned', 'contacted')
) loads
"""


def run(stack: Stack, **_: object) -> list[Row]:
    branch_id = int(stack.python(_setup()).split()[-1])
    marks: list[dict] = []
    errors: list[BaseException] = []
    creators = [
        threading.Thread(target=_create, args=(stack, branch_id, part, marks, errors), daemon=True)
        for part in _parts(CALLBACKS, CREATORS)
    ]
    for creator in creators:
        creator.start()
    assigned = _wait_until_assigned(stack, branch_id)
    for creator in creators:
        creator.join()
    if errors or not marks:
        raise RuntimeError(f"creating callbacks failed: {errors}")
    seconds = assigned["at"] - min(mark["first"] for mark in marks)
    return [_timing_row(stack, branch_id, assigned["count"], seconds, marks), _capacity_row(stack, branch_id)]


def _setup() -> str:
    return SETUP.format(company=COMPANY, branch=BRANCH, callbacks=CALLBACKS, staff=STAFF, shares=SHARES)


def _parts(total: int, pieces: int) -> list[tuple[int, int]]:
    size = -(-total // pieces)
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _create(stack: Stack, branch_id: int, part: tuple[int, int], marks: list, errors: list) -> None:
    code = CREATE.format(company=COMPANY, branch_id=branch_id, start=part[0], stop=part[1], timeout=TIMEOUT)
    try:
        marks.append(json.loads(stack.python(code).strip().splitlines()[-1]))
    except BaseException as error:  # reported by run(), after the polling ends
        errors.append(error)


def _wait_until_assigned(stack: Stack, branch_id: int) -> dict[str, float]:
    """Poll (every 0.2 s) until all are assigned or the timeout has passed since the first was created."""
    started = time.time()
    while True:
        count, first = stack.sql(PROGRESS, branch_id)[0]
        now = time.time()
        if count >= CALLBACKS or now - float(first or started) > (TIMEOUT if first else STARTUP):
            return {"count": count, "at": now}
        time.sleep(0.2)


def _timing_row(stack: Stack, branch_id: int, assigned: int, seconds: float, marks: list) -> Row:
    """Throughput is assigned callbacks per second since the first was created, also when not all were."""
    p50, p95, p99 = (value.total_seconds() * 1000 for value in stack.scalar(LATENCIES, branch_id))
    creating = max(mark["last"] for mark in marks) - min(mark["first"] for mark in marks)
    return Row(
        scenario="auto-assignment",
        load=f"{CALLBACKS} new, {STAFF} staff, {CREATORS} creators",
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        throughput=assigned / seconds,
        requests=CALLBACKS,
        errors=CALLBACKS - assigned,
        goals=[Goal("all_assigned_s", "<", 20, "s")],
        extra={
            "all_assigned_s": round(seconds, 1) if assigned == CALLBACKS else None,
            "created": sum(mark["created"] for mark in marks),
            "creating_s": round(creating, 1),
            "assigned": assigned,
        },
    )


def _capacity_row(stack: Stack, branch_id: int) -> Row:
    over, busiest, capacity = stack.sql(OVER_CAPACITY, branch_id)[0]
    return Row(
        scenario="auto-assignment: capacity",
        load=f"{STAFF} staff, {capacity} places",
        goals=[Goal("over_capacity", "==", 0)],
        extra={"over_capacity": over, "busiest": busiest},
    )
