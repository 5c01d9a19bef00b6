"""Queueing work for the right company, and only after the change that caused it has committed."""

import logging
from typing import Any

from celery import Task, shared_task
from django.db import connection, transaction
from django_tenants.utils import tenant_context

logger = logging.getLogger(__name__)
SCHEMA_HEADER = "_schema_name"


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
        task.apply_async(args=args, kwargs=kwargs, **options)

    send_after_commit.__qualname__ = f"send {task.name}"  # what Django logs when sending fails
    send_after_commit.task_name = task.name
    transaction.on_commit(send_after_commit, robust=True)


def active_companies():
    from tenants.models import Company

    return Company.objects.exclude(schema_name="public").filter(is_active=True).order_by("schema_name")


def for_each_company(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Fan out: send one `task_name` per active company, each running in that company's schema."""
    from config.celery import app

    sent = 0
    for company in active_companies():
        with tenant_context(company):
            app.send_task(task_name, args=args, kwargs=kwargs, headers={SCHEMA_HEADER: company.schema_name})
        sent += 1
    return sent


@shared_task(name="common.fan_out")
def fan_out(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Beat entry point for periodic per-company work (see `per_company`)."""
    return for_each_company(task_name, *args, **kwargs)


def per_company(task_name: str, every: float, *args: Any) -> dict[str, Any]:
    """A beat schedule entry that runs `task_name` once per active company every `every` seconds."""
    return {"task": "common.fan_out", "schedule": every, "args": (task_name, *args)}


@shared_task(name="common.health_probe")
def health_probe(token: str) -> str:
    """Operators' check that workers run and land in the right schema: records what this task saw."""
    from common.cache import tenant_key
    from common.redis import get_redis
    from org.models import Branch

    branches = "-" if connection.schema_name == "public" else Branch.objects.count()
    seen = f"{connection.schema_name}:{branches}"
    get_redis().set(tenant_key("health_probe", token), seen, ex=300)
    return seen
