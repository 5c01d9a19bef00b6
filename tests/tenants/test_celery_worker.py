import time
import uuid

import pytest
from django_tenants.utils import tenant_context

from common.cache import tenant_key
from common.redis import get_redis
from tenants.tasks import fan_out
from tests.factories.org import BranchFactory


def wait_for(key: str, timeout: float = 60) -> bytes | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = get_redis().get(key)
        if value is not None:
            return value
        time.sleep(0.2)
    return None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_each_company_task_in_that_company_schema(companies, celery_worker_process):
    """Beat's fan-out sends one task per company; a real worker runs each in its own schema."""
    acme, globex = companies["acme"], companies["globex"]
    with tenant_context(acme):
        BranchFactory(), BranchFactory()
    with tenant_context(globex):
        BranchFactory()
    token = uuid.uuid4().hex
    assert fan_out("common.health_probe", token) == 2
    with tenant_context(acme):
        acme_seen = wait_for(tenant_key("health_probe", token))
    with tenant_context(globex):
        globex_seen = wait_for(tenant_key("health_probe", token))
    assert acme_seen == b"acme:2"
    assert globex_seen == b"globex:1"
