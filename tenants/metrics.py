"""`/metrics` on the platform host: process counters plus every app's gauges, read per active company.

Off until METRICS_TOKEN is set, then answers only requests that carry `Authorization: Bearer <token>`.
"""

from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from common.metrics import company_gauges, process_counters
from tenants.selectors import in_each_active_company


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


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are disabled")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not constant_time_compare(offered, token):
        return HttpResponse("A valid bearer token is required.", status=401, content_type="text/plain")
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector())
    return HttpResponse(process_counters() + generate_latest(backlog), content_type=CONTENT_TYPE_LATEST)
