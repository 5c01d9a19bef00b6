"""Operational metrics for Prometheus: domain events as they happen, per-company backlogs when scraped.

Apps contribute their backlog gauges from `AppConfig.ready()` with `register_company_gauge`; the
`/metrics` view (`tenants.metrics`) reads each gauge once per active company. With several processes
(gunicorn, Celery) set PROMETHEUS_MULTIPROC_DIR so their counters are added up (prometheus-client's
multiprocess mode).
"""

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest

from common.events import DomainEvent

DOMAIN_EVENTS = Counter("switchboard_domain_events", "Domain events emitted, by name.", ["event"])

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


def count_domain_event(event: DomainEvent) -> None:
    DOMAIN_EVENTS.labels(event=event.name).inc()


def process_counters() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)
