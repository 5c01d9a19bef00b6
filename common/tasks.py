"""Queueing work for the right company, and only after the change that caused it has committed."""

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import connection, transaction
from tenant_schemas_celery.task import TenantTask

from common.audit import SYSTEM, acting_as
from common.redis import unless_redis_failed

logger = logging.getLogger(__name__)
SCHEMA_HEADER = "_schema_name"
FAN_OUT_TASK = "common.fan_out"  # defined in tenants.tasks, which may walk over companies


class SystemTask(TenantTask):
    """Every task's base (config/celery.py): what a task changes is recorded as the system's doing."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with acting_as(SYSTEM):
            return super().__call__(*args, **kwargs)


def enqueue_on_commit(task: Task, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send `task` after the current transaction commits, in the schema active *now*.

    tenant-schemas-celery reads the schema when the message is sent; an on_commit callback may fire after
    the caller has left the tenant context, so the schema is pinned here, at the moment of the call.
    Robust: when the broker is down the change stays committed and the failure is logged; every queued
    job has a periodic sweep that picks up what was stored but never processed.
    """
    options = {"headers": {SCHEMA_HEADER: connection.schema_name}}
    if countdown is not None:
        options["countdown"] = countdown

    def send_after_commit() -> None:
        publish = partial(task.apply_async, args=args, kwargs=kwargs, **options)
        unless_redis_failed(f"queueing {task.name}", publish)

    send_after_commit.__qualname__ = f"send {task.name}"  # what Django logs when sending fails
    send_after_commit.task_name = task.name
    transaction.on_commit(send_after_commit, robust=True)


def per_company(task_name: str, every: float, *args: Any) -> dict[str, Any]:
    """A beat schedule entry that runs `task_name` once per active company every `every` seconds."""
    return {"task": FAN_OUT_TASK, "schedule": every, "args": (task_name, *args)}
