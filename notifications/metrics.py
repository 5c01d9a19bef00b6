"""The notifications' backlog gauge for `/metrics` (registered in `NotificationsConfig.ready`)."""

from datetime import datetime, timedelta

from common.metrics import CompanyGauge, Reading
from notifications.models import NotificationDelivery

FAILED_WITHIN = timedelta(hours=24)


def _failed(now: datetime) -> list[Reading]:
    recent = NotificationDelivery.objects.filter(created_at__gte=now - FAILED_WITHIN)
    return [((), recent.filter(status=NotificationDelivery.Status.FAILED).count())]


FAILED_DELIVERIES = CompanyGauge(
    "switchboard_notification_deliveries_failed",
    "Notification deliveries that failed in the last 24 hours.",
    read=_failed,
)
