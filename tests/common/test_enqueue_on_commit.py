"""Work triggered by a change is queued after commit, in the schema of the change, never on rollback."""

import uuid

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context, tenant_context

from common.cache import tenant_key
from common.redis import get_redis
from common.tasks import enqueue_on_commit
from tenants.tasks import health_probe
from tests.factories.org import BranchFactory


def probe_seen(schema: str, token: str) -> bytes | None:
    with schema_context(schema):
        return get_redis().get(tenant_key("health_probe", token))


def test_task_queued_in_a_tenant_runs_in_that_schema_after_commit(
    company, django_capture_on_commit_callbacks
):
    BranchFactory()
    token = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(health_probe, token)
    assert probe_seen("acme", token) is None  # nothing runs before the commit
    connection.set_schema_to_public()  # the commit fires long after the tenant context was left
    for callback in callbacks:
        callback()
    assert probe_seen("acme", token) == b"acme:1"
    assert probe_seen("public", token) is None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_queues_nothing(companies):
    token = uuid.uuid4().hex
    with tenant_context(companies["acme"]), pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(health_probe, token)
        raise RuntimeError("the change fails")
    assert probe_seen("acme", token) is None
