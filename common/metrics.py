"""Operational metrics for Prometheus: domain events as they happen, per-company backlogs when scraped.

Counters and histograms are fed by `count_domain_event` (subscribed to every domain event in
`CommonConfig.ready`), so no business code knows about metrics. Apps contribute their backlog gauges from
`AppConfig.ready()` with `register_company_gauge`; the `/metrics` view (`tenants.metrics`) reads each gauge
once per active company at scrape time. With several processes (gunicorn, Celery) PROMETHEUS_MULTIPROC_DIR
must be set before this module is imported, so their counters are added up (prometheus-client's
multiprocess mode; `scripts/run.py` and `config/settings_test.py` set a fresh directory).

Other parts of the system increment the counters defined here; names are listed in docs/operations.md.
"""

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery.signals import task_failure
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

from common.events import DomainEvent

# Company as a label multiplies every series by the number of companies: only where configured.
COMPANY = ["company"] if getattr(settings, "METRICS_COMPANY_LABEL", False) else []
# Seconds from a callback's creation: minutes to a working day.
CALLBACK_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800)

DOMAIN_EVENTS = Counter("switchboard_domain_events", "Domain events emitted, by name.", ["event"])
CALLBACKS_CREATED = Counter("callbacks_created", "Callback requests created.", ["priority", *COMPANY])
CALLBACKS_ASSIGNED = Counter("callbacks_assigned", "Callback assignments (incl. reassignments).", COMPANY)
CALLBACKS_COMPLETED = Counter("callbacks_completed", "Callback requests completed.", COMPANY)
CALLBACKS_EXPIRED = Counter("callbacks_expired", "Callback requests expired unanswered.", COMPANY)
CALLBACKS_ESCALATED = Counter(
    "callbacks_escalated", "Callback escalations.", ["reason", "priority", *COMPANY]
)
CALLBACKS_UNASSIGNABLE = Counter(
    "callbacks_assignment_failures", "Automatic assignments that found nobody.", COMPANY
)
CALLBACK_ASSIGNMENT_SECONDS = Histogram(
    "callback_assignment_seconds", "From creation to first assignment.", COMPANY, buckets=CALLBACK_BUCKETS
)
CALLBACK_COMPLETION_SECONDS = Histogram(
    "callback_completion_seconds", "From creation to completion.", COMPANY, buckets=CALLBACK_BUCKETS
)
WEBHOOK_REQUESTS = Counter(
    "webhook_requests", "Inbound webhook requests by source and outcome.", ["source", "outcome"]
)
WEBHOOK_PROCESSING_SECONDS = Histogram(
    "webhook_processing_seconds", "Time to answer an inbound webhook request.", ["source"]
)
CELERY_TASK_FAILURES = Counter("celery_task_failures", "Celery tasks that raised.", ["task"])
# For the outbound webhook delivery to increment (outcome: succeeded, retrying, failed).
OUTBOUND_WEBHOOK_DELIVERIES = Counter(
    "outbound_webhook_deliveries", "Outbound webhook delivery attempts by outcome.", ["outcome"]
)
# Records we lacked or held differently and took from the vendor's own list (source: retell, calcom).
RECONCILIATION_REPAIRS = Counter(
    "reconciliation_repairs", "Calls and bookings repaired from the vendor's own list.", ["source"]
)

Reading = tuple[tuple[str, ...], float]


@dataclass(frozen=True)
class CompanyGauge:
    """A gauge read inside each company's schema; `read(now)` returns (label values, value) pairs."""

    name: str
    documentation: str
    read: Callable[[datetime], Iterable[Reading]]
    labels: tuple[str, ...] = ()


_company_gauges: dict[str, CompanyGauge] = {}


def register_company_gauge(gauge: CompanyGauge) -> None:
    _company_gauges[gauge.name] = gauge


def company_gauges() -> list[CompanyGauge]:
    return list(_company_gauges.values())


def _company(metric: Any, **labels: str) -> Any:
    if COMPANY:
        labels["company"] = connection.schema_name
    return metric.labels(**labels) if labels else metric


def _seconds_since_creation(callback: Any, stamp: datetime | None) -> float | None:
    if stamp is None or callback.created_at is None:
        return None
    return max((stamp - callback.created_at).total_seconds(), 0.0)


def _callback_assigned(event: DomainEvent) -> None:
    _company(CALLBACKS_ASSIGNED).inc()
    if event.get("previous_staff") is None:
        callback = event["callback"]
        seconds = _seconds_since_creation(callback, callback.assigned_at)
        if seconds is not None:
            _company(CALLBACK_ASSIGNMENT_SECONDS).observe(seconds)


def _callback_completed(event: DomainEvent) -> None:
    _company(CALLBACKS_COMPLETED).inc()
    callback = event["callback"]
    seconds = _seconds_since_creation(callback, callback.completed_at)
    if seconds is not None:
        _company(CALLBACK_COMPLETION_SECONDS).observe(seconds)


def _callback_escalated(event: DomainEvent) -> None:
    escalation = event.get("escalation")  # a counter must never fail the escalation it counts
    reason = getattr(escalation, "reason", "") or "unknown"
    _company(CALLBACKS_ESCALATED, reason=reason, priority=event["callback"].priority).inc()


_EVENT_COUNTERS: dict[str, Callable[[DomainEvent], None]] = {
    "callback.created": lambda event: _company(CALLBACKS_CREATED, priority=event["callback"].priority).inc(),
    "callback.assigned": _callback_assigned,
    "callback.completed": _callback_completed,
    "callback.expired": lambda event: _company(CALLBACKS_EXPIRED).inc(),
    "callback.escalated": _callback_escalated,
    "callback.unassignable": lambda event: _company(CALLBACKS_UNASSIGNABLE).inc(),
}


def count_domain_event(event: DomainEvent) -> None:
    DOMAIN_EVENTS.labels(event=event.name).inc()
    count = _EVENT_COUNTERS.get(event.name)
    if count is not None:
        count(event)


@task_failure.connect(dispatch_uid="common.metrics.task_failure")
def count_task_failure(sender: Any = None, **_: Any) -> None:
    CELERY_TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


def _webhook_outcome(status: int) -> str:
    if status < 400:
        return "ok"
    return "rejected" if status < 500 else "error"


class WebhookMetricsMiddleware:
    """Counts and times every request to /webhooks/<source>/... (outcome from the status code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = request.path.split("/")
        if len(parts) < 3 or parts[1] != "webhooks" or not parts[2]:
            return self.get_response(request)
        source = parts[2]
        started = time.perf_counter()
        outcome = "error"
        try:
            response = self.get_response(request)
            outcome = _webhook_outcome(response.status_code)
            return response
        finally:
            WEBHOOK_REQUESTS.labels(source=source, outcome=outcome).inc()
            WEBHOOK_PROCESSING_SECONDS.labels(source=source).observe(time.perf_counter() - started)


def process_counters() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)
