"""Operational metrics for Prometheus: domain events as they happen, backlogs read when scraped.

`/metrics` on the platform host is off until METRICS_TOKEN is set, then answers only requests that carry
`Authorization: Bearer <METRICS_TOKEN>`. With several processes (gunicorn, Celery) set
PROMETHEUS_MULTIPROC_DIR so their counters are added up (prometheus-client's multiprocess mode).
"""

import os
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_tenants.utils import tenant_context
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily

from common.events import DomainEvent
from common.tasks import active_companies

DOMAIN_EVENTS = Counter("switchboard_domain_events", "Domain events emitted, by name.", ["event"])
STUCK_AFTER = timedelta(minutes=10)
FAILED_WITHIN = timedelta(hours=24)


def count_domain_event(event: DomainEvent) -> None:
    DOMAIN_EVENTS.labels(event=event.name).inc()


class BacklogCollector:
    """What needs a human or an operator now, per company (a few counts per company per scrape)."""

    def collect(self):
        overdue = GaugeMetricFamily(
            "switchboard_callbacks_overdue", "Open callbacks past their deadline.", labels=["company"]
        )
        unprocessed = GaugeMetricFamily(
            "switchboard_webhook_events_unprocessed",
            "Stored Retell/Cal.com events still unprocessed 10 minutes after they arrived.",
            labels=["company", "source"],
        )
        failed = GaugeMetricFamily(
            "switchboard_notification_deliveries_failed",
            "Notification deliveries that failed in the last 24 hours.",
            labels=["company"],
        )
        now = timezone.now()
        for company in active_companies():
            with tenant_context(company):
                overdue.add_metric([company.slug], _overdue_callbacks(now))
                for source, count in _unprocessed_events(now):
                    unprocessed.add_metric([company.slug, source], count)
                failed.add_metric([company.slug], _failed_deliveries(now))
        yield from (overdue, unprocessed, failed)


def _overdue_callbacks(now) -> int:
    from callbacks.models import CallbackRequest

    return CallbackRequest.objects.overdue(now).count()


def _unprocessed_events(now) -> list[tuple[str, int]]:
    from integrations.models import WebhookEvent

    waiting = (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED)
    rows = WebhookEvent.objects.filter(status__in=waiting, received_at__lt=now - STUCK_AFTER)
    return list(rows.values_list("source").annotate(count=Count("id")).order_by("source"))


def _failed_deliveries(now) -> int:
    from notifications.models import NotificationDelivery

    recent = NotificationDelivery.objects.filter(created_at__gte=now - FAILED_WITHIN)
    return recent.filter(status=NotificationDelivery.Status.FAILED).count()


def _process_counters() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are disabled")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not constant_time_compare(offered, token):
        return HttpResponse("A valid bearer token is required.", status=401, content_type="text/plain")
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector())
    return HttpResponse(_process_counters() + generate_latest(backlog), content_type=CONTENT_TYPE_LATEST)
