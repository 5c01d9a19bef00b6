"""The inbox's backlog gauge for `/metrics` (registered in `IntegrationsConfig.ready`)."""

from datetime import datetime, timedelta

from django.db.models import Count

from common.metrics import CompanyGauge, Reading
from integrations.models import WebhookEvent

STUCK_AFTER = timedelta(minutes=10)


def _unprocessed(now: datetime) -> list[Reading]:
    waiting = (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED)
    rows = WebhookEvent.objects.filter(status__in=waiting, received_at__lt=now - STUCK_AFTER)
    counts = rows.values_list("source").annotate(count=Count("id")).order_by("source")
    return [((source,), count) for source, count in counts]


UNPROCESSED_EVENTS = CompanyGauge(
    "switchboard_webhook_events_unprocessed",
    "Stored Retell/Cal.com events still unprocessed 10 minutes after they arrived.",
    read=_unprocessed,
    labels=("source",),
)
