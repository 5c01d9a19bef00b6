"""`/metrics` on the platform host: process counters plus every app's gauges, read per active company.

Open in development; with METRICS_TOKEN_REQUIRED (production) off until METRICS_TOKEN is set, then answers
only requests that carry `Authorization: Bearer <token>`.
"""

from collections.abc import Iterator

from celery import current_app
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from common.metrics import company_gauges, process_counters
from tenants.selectors import in_each_active_company

TOKEN_REQUIRED = "A valid bearer token is required."


class BacklogCollector:
    """What needs a human or an operator now, per company (a few counts per company per scrape)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauges = company_gauges()
        families = {
            gauge.name: GaugeMetricFamily(gauge.name, gauge.documentation, labels=["company", *gauge.labels])
            for gauge in gauges
        }
        now = timezone.now()
        for company in in_each_active_company():
            for gauge in gauges:
                for labels, value in gauge.read(now):
                    families[gauge.name].add_metric([company.slug, *labels], value)
        yield from families.values()


class CeleryQueueCollector:
    """Tasks waiting in the broker's default queue (a Redis list), read at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        family = GaugeMetricFamily(
            "celery_queue_length", "Tasks waiting in the broker queue.", labels=["queue"]
        )
        with current_app.connection_for_read() as broker:
            family.add_metric([queue], broker.default_channel.client.llen(queue))
        yield family


def _refusal(request: HttpRequest) -> HttpResponse | None:
    token = settings.METRICS_TOKEN
    if not token and not getattr(settings, "METRICS_TOKEN_REQUIRED", False):
        return None
    if not token:
        raise Http404("metrics are disabled")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if constant_time_compare(offered, token):
        return None
    return HttpResponse(TOKEN_REQUIRED, status=401, content_type="text/plain")


def metrics(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    scraped = CollectorRegistry()
    scraped.register(BacklogCollector())
    scraped.register(CeleryQueueCollector())
    return HttpResponse(process_counters() + generate_latest(scraped), content_type=CONTENT_TYPE_LATEST)
