"""Benchmark: how fast do we acknowledge Retell and Cal.com?

Sends signed requests through the whole Django stack (middleware, routing by phone number, signature check,
storing the event, queueing its processing) against the configured PostgreSQL and Redis, in process and
without network, and prints latency percentiles per endpoint. Processing itself is queued to a throw-away
queue that is purged afterwards. Usage: make bench-webhooks  (requests per endpoint: BENCH_REQUESTS, 300)
"""

import hashlib
import hmac
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"bench-{uuid.uuid4().hex[:8]}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from config.celery import app  # noqa: E402
from org.models import Branch  # noqa: E402
from tenants.services import company_provision, phone_route_add  # noqa: E402

SLUG, NUMBER, CALLER = "bench_hooks", "+493055509999", "+4915112340000"
RETELL_KEY, CALCOM_SECRET = "key_bench_retell", "bench-calcom-secret"


def company_ready():
    company = company_provision(slug=SLUG, name="Bench Hooks").company
    company.retell_api_key, company.calcom_webhook_secret = RETELL_KEY, CALCOM_SECRET
    company.save(update_fields=["retell_api_key", "calcom_webhook_secret"])
    with tenant_context(company):
        branch, _ = Branch.objects.get_or_create(name="Bench")
    phone_route_add(company=company, number=NUMBER, branch_id=branch.pk)
    return company


def retell_headers(body: bytes) -> dict:
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(RETELL_KEY.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"HTTP_X_RETELL_SIGNATURE": f"v={stamp},d={digest}"}


def call(call_id: str) -> dict:
    return {
        "call_id": call_id,
        "call_type": "phone_call",
        "agent_id": "agent_bench",
        "call_status": "ended",
        "direction": "inbound",
        "from_number": CALLER,
        "to_number": NUMBER,
        "start_timestamp": 1767279600512,
        "end_timestamp": 1767279702288,
        "duration_ms": 101776,
        "transcript": "Agent: Guten Tag, Praxis Bench.\nUser: Ich möchte einen Termin verschieben.\n" * 20,
    }


def retell_event(index: int) -> tuple[str, bytes, dict]:
    body = json.dumps({"event": "call_ended", "call": call(f"call_bench_{uuid.uuid4().hex}")}).encode()
    return "/webhooks/retell/", body, retell_headers(body)


def retell_inbound(index: int) -> tuple[str, bytes, dict]:
    payload = {"event": "call_inbound", "call_inbound": {"from_number": CALLER, "to_number": NUMBER}}
    body = json.dumps(payload).encode()
    return "/webhooks/retell/inbound/", body, retell_headers(body)


def retell_function(index: int) -> tuple[str, bytes, dict]:
    payload = {"name": "check_customer", "call": call(f"call_fn_{index}"), "args": {}}
    body = json.dumps(payload).encode()
    return "/webhooks/retell/functions/", body, retell_headers(body)


def calcom_event(index: int) -> tuple[str, bytes, dict]:
    payload = {
        "triggerEvent": "BOOKING_CANCELLED",
        "createdAt": "2026-11-21T08:12:45.311Z",
        "payload": {
            "uid": f"bench-{uuid.uuid4().hex}",
            "startTime": "2026-12-01T09:00:00Z",
            "status": "CANCELLED",
        },
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(CALCOM_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return f"/webhooks/calcom/{SLUG}", body, {"HTTP_X_CAL_SIGNATURE_256": signature}


def measure(client: Client, make_request, count: int) -> list[float]:
    timings, statuses = [], set()
    for index in range(count):
        path, body, headers = make_request(index)
        started = time.perf_counter()
        response = client.post(path, body, content_type="application/json", **headers)
        timings.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    return timings, statuses


def main() -> None:
    count = int(os.environ.get("BENCH_REQUESTS", "300"))
    company_ready()
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    print(f"{count} requests per endpoint, in process, against {settings.DATABASES['default']['NAME']}")
    print(f"{'endpoint':34} {'status':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    cases = [
        ("Retell call_ended (store + queue)", retell_event),
        ("Retell call_inbound (variables)", retell_inbound),
        ("Retell function check_customer", retell_function),
        ("Cal.com BOOKING_CANCELLED", calcom_event),
    ]
    try:
        for name, make_request in cases:
            measure(client, make_request, 10)  # warm-up: connections, caches, imports
            timings, statuses = measure(client, make_request, count)
            p95 = statistics.quantiles(timings, n=20)[-1]
            status = ",".join(str(s) for s in sorted(statuses))
            print(f"{name:34} {status:>8} {statistics.median(timings):8.2f} {p95:8.2f} {max(timings):8.2f}")
    finally:
        with app.connection_for_write() as connection:
            app.amqp.queues[app.conf.task_default_queue].bind(connection.default_channel).purge()


if __name__ == "__main__":
    main()
