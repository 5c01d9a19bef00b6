"""The callbacks' backlog gauge for `/metrics` (registered in `CallbacksConfig.ready`)."""

from datetime import datetime

from callbacks.models import CallbackRequest
from common.metrics import CompanyGauge, Reading


def _overdue(now: datetime) -> list[Reading]:
    return [((), CallbackRequest.objects.overdue(now).count())]


OVERDUE_CALLBACKS = CompanyGauge(
    "switchboard_callbacks_overdue", "Open callbacks past their deadline.", read=_overdue
)
