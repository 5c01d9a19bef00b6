"""Celery app that carries the tenant schema with every task (tenant-schemas-celery).

Periodic work: each app may define `SCHEDULE` in `<app>/beat.py`; entries made with
`common.tasks.per_company` fan out one task per active company.
"""

import importlib
import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

APPS_WITH_SCHEDULES = (
    "org",
    "callbacks",
    "appointments",
    "policies",
    "calls",
    "notifications",
    "integrations",
    "webhooks",
)

app = CeleryApp("switchboard", task_cls="common.tasks:SystemTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Integrations keep their tasks per integration package (integrations/retell/tasks.py, .../calcom/tasks.py).
app.autodiscover_tasks(["integrations.retell", "integrations.calcom"])


def collect_beat_schedule() -> dict:
    schedule: dict = {}
    for name in APPS_WITH_SCHEDULES:
        try:
            module = importlib.import_module(f"{name}.beat")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.beat":
                raise
            continue
        schedule.update(getattr(module, "SCHEDULE", {}))
    return schedule


app.conf.beat_schedule = collect_beat_schedule()
