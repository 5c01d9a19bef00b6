"""Scenario 5, one SLA sweep over 200 companies with 500 open callbacks each, on the bench's 2 workers.

Goal (issue 16): one full pass in under 60 s. The pass is what beat sends every five minutes for the
deadline watch: `common.fan_out` for `callbacks.warn_sla_approaching` and for `callbacks.escalate_overdue`,
each of which sends one task per active company (`tenants.tasks.for_each_company`). The companies are
created with the public `tenants.services.company_provision`, BENCH_SLA_COMPANIES (200) of them, each
with a branch open around the clock and two staff; the 500 callbacks a company are written in one
INSERT (the state a sweep finds, not how it came about) and all assigned: 5 % overdue, 5 % due within
the warning lead, the rest due later. The pass is over when every due one is warned (`sla_warned_at`)
and every overdue one has its escalation row, which the bench counts in the database; p50/p95/p99 are
the times from the kick to each callback's warning or escalation. BENCH_SLA_TIMEOUT (300 s) ends a pass
that does not finish as MISSED.
"""

from __future__ import annotations

import json
import os
import time

from scripts.bench.stack import Stack
from scripts.bench.table import Goal, Row

COMPANIES = int(os.environ.get("BENCH_SLA_COMPANIES", "200"))
CALLBACKS = int(os.environ.get("BENCH_SLA_CALLBACKS", "500"))
TIMEOUT = float(os.environ.get("BENCH_SLA_TIMEOUT", "300"))
SHARE_OVERDUE = SHARE_APPROACHING = 0.05
PER_SHELL = 20  # companies provisioned by one Django shell (each shell has manage()'s 900 s)
SCHEMA = "sla{number:03d}"

PROVISION = """
import random
from datetime import time, timedelta
from django.utils import timezone
from django_tenants.utils import tenant_context
from callbacks.models import CallbackRequest
from org.models import Branch
from org.services import opening_hours_set, staff_ensure
from tenants.services import company_provision

for number in range({start}, {stop}):
    slug = "{schema}".format(number=number)
    company = company_provision(slug=slug, name=f"SLA Praxis {{number:03d}}").company
    with tenant_context(company):
        branch, _ = Branch.objects.get_or_create(name="Rund um die Uhr")
        around_the_clock = [(time(0), time(23, 59, 59, 999999))]
        opening_hours_set(branch=branch, week={{day: around_the_clock for day in range(7)}})
        room = {{"branches": (branch,), "max_open_callbacks": 1000}}
        holder, _ = staff_ensure(email="a@sla.example", name="Annika", **room)
        staff_ensure(email="b@sla.example", name="Bruno", **room)
        rng, now = random.Random(number), timezone.now()
        overdue, approaching = round({callbacks} * {overdue}), round({callbacks} * {approaching})
        def deadline(index):
            if index < overdue:
                return now - timedelta(minutes=rng.randint(30, 90))
            if index < overdue + approaching:
                return now + timedelta(minutes=rng.randint(15, 40))  # well inside the 60-minute lead
            return now + timedelta(hours=rng.randint(3, 48))
        CallbackRequest.objects.bulk_create(
            CallbackRequest(
                branch=branch,
                phone=f"+49170{{number:03d}}{{index:05d}}",
                customer_name=f"Kunde {{index}}",
                status="assigned",
                assigned_to=holder,
                assigned_at=now,
                source="phone_agent",
                expires_at=deadline(index),
            )
            for index in range({callbacks})
        )
"""

KICK = """
import json, time
from celery import current_app
kicked = time.time()
for task in ("callbacks.warn_sla_approaching", "callbacks.escalate_overdue"):
    current_app.send_task("common.fan_out", args=(task,))
print(json.dumps({"kicked": kicked}))
"""


def run(stack: Stack, **_: object) -> list[Row]:
    for start in range(0, COMPANIES, PER_SHELL):
        stack.python(_provision(start, min(start + PER_SHELL, COMPANIES)))
    per_company = round(CALLBACKS * SHARE_OVERDUE) + round(CALLBACKS * SHARE_APPROACHING)
    expected = COMPANIES * per_company
    kicked = json.loads(stack.python(KICK).strip().splitlines()[-1])["kicked"]
    handled, finished = _wait_until_handled(stack, expected, kicked + TIMEOUT)
    seconds = finished - kicked
    p50, p95, p99 = _latencies(stack, kicked)
    return [
        Row(
            scenario="SLA sweep, one pass",
            load=f"{COMPANIES} companies x {CALLBACKS} open",
            p50_ms=p50,
            p95_ms=p95,
            p99_ms=p99,
            throughput=handled / seconds,
            requests=expected,
            errors=expected - handled,
            goals=[Goal("pass_s", "<", 60, "s")],
            extra={"pass_s": round(seconds, 1) if handled == expected else None, "handled": handled},
        )
    ]


def _provision(start: int, stop: int) -> str:
    return PROVISION.format(
        start=start,
        stop=stop,
        schema=SCHEMA,
        callbacks=CALLBACKS,
        overdue=SHARE_OVERDUE,
        approaching=SHARE_APPROACHING,
    )


def _schemas() -> list[str]:
    return [SCHEMA.format(number=number) for number in range(COMPANIES)]


def _handled(stack: Stack) -> int:
    """Warnings and escalations in all the companies, one query over their schemas."""
    parts = [
        f"SELECT (SELECT count(*) FROM {schema}.callbacks_callbackrequest WHERE sla_warned_at IS NOT NULL)"
        f" + (SELECT count(*) FROM {schema}.callbacks_callbackescalation) AS handled"
        for schema in _schemas()
    ]
    return int(stack.scalar(f"SELECT sum(handled) FROM ({' UNION ALL '.join(parts)}) AS per_company"))


def _wait_until_handled(stack: Stack, expected: int, deadline: float) -> tuple[int, float]:
    handled = 0
    while time.time() < deadline:
        handled = _handled(stack)
        if handled >= expected:
            break
        time.sleep(0.5)
    return handled, time.time()


def _latencies(stack: Stack, kicked: float) -> tuple[float | None, ...]:
    parts = []
    for schema in _schemas():
        parts.append(f"SELECT sla_warned_at AS at FROM {schema}.callbacks_callbackrequest")
        parts.append(f"SELECT escalated_at FROM {schema}.callbacks_callbackescalation")
    query = (
        "SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY at)"
        f" FROM ({' UNION ALL '.join(parts)}) AS handled WHERE at IS NOT NULL"
    )
    moments = stack.scalar(query)
    if moments is None or moments[0] is None:
        return (None, None, None)
    return tuple((moment.timestamp() - kicked) * 1000 for moment in moments)
