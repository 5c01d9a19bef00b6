"""Beat's fan-out to every company, and the operators' probe that a worker lands in the right schema.

The task names keep their historical `common.` prefix: beat entries (`common.tasks.per_company`) and
messages already queued refer to them by name.
"""

from typing import Any

from celery import current_app, shared_task
from django.db import connection

from common.cache import tenant_key
from common.redis import get_redis
from common.tasks import FAN_OUT_TASK, SCHEMA_HEADER
from org.models import Branch
from tenants.selectors import in_each_active_company


def for_each_company(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Cross-tenant: send one `task_name` per active company, each running in that company's schema."""
    sent = 0
    for company in in_each_active_company():
        headers = {SCHEMA_HEADER: company.schema_name}
        current_app.send_task(task_name, args=args, kwargs=kwargs, headers=headers)
        sent += 1
    return sent


@shared_task(name=FAN_OUT_TASK)
def fan_out(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Beat entry point for periodic per-company work (see `common.tasks.per_company`)."""
    return for_each_company(task_name, *args, **kwargs)


@shared_task(name="common.health_probe")
def health_probe(token: str) -> str:
    """Operators' check that workers run and land in the right schema: records what this task saw."""
    branches = "-" if connection.schema_name == "public" else Branch.objects.count()
    seen = f"{connection.schema_name}:{branches}"
    get_redis().set(tenant_key("health_probe", token), seen, ex=300)
    return seen
