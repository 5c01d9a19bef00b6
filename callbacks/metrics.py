"""The callbacks' backlog gauges for `/metrics` (registered in `CallbacksConfig.ready`)."""

from datetime import datetime

from django.db.models import Count

from callbacks.models import CallbackRequest
from common.metrics import CompanyGauge, Reading


def _overdue(now: datetime) -> list[Reading]:
    return [((), CallbackRequest.objects.overdue(now).count())]


OVERDUE_CALLBACKS = CompanyGauge(
    "switchboard_callbacks_overdue", "Open callbacks past their deadline.", read=_overdue
)


def _open_by_priority(now: datetime) -> list[Reading]:
    counts = dict(CallbackRequest.objects.open().values_list("priority").annotate(n=Count("pk")).order_by())
    return [((priority,), counts.get(priority, 0)) for priority in CallbackRequest.Priority.values]


OPEN_CALLBACKS = CompanyGauge(
    "switchboard_callbacks_open",
    "Callbacks still to be worked (pending, assigned, contacted).",
    read=_open_by_priority,
    labels=("priority",),
)
