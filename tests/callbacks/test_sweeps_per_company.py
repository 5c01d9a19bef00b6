"""Beat fans the sweeps out per company; a real worker runs each company's sweep in that schema only."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from callbacks.models import CallbackEscalation, CallbackRequest
from tenants.tasks import fan_out
from tests.callbacks.test_assignment_concurrency import remove_committed_rows
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory, StaffFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def overdue_callback_in(company, *, count: int) -> list[int]:
    with tenant_context(company):
        branch = BranchFactory(hours=[])  # no opening hours: always staffed, whatever time the worker runs
        staff = StaffFactory(name=f"{company.schema_name} staff")
        staff.branches.set([branch])
        return [
            AssignedCallbackFactory(
                branch=branch, assigned_to=staff, expires_at=timezone.now() - timedelta(hours=1)
            ).pk
            for _ in range(count)
        ]


def escalations_in(company) -> list[tuple[int, str]]:
    with tenant_context(company):
        return list(CallbackEscalation.objects.values_list("callback", "reason"))


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def cleanup(companies):
    yield
    for schema in ("acme", "globex"):
        with tenant_context(companies[schema]):
            remove_committed_rows()


def test_overdue_sweep_escalates_each_companys_callbacks_in_its_own_schema(
    companies, celery_worker_process, cleanup
):
    acme, globex = companies["acme"], companies["globex"]
    acme_ids = overdue_callback_in(acme, count=2)
    globex_ids = overdue_callback_in(globex, count=1)
    assert fan_out("callbacks.escalate_overdue") == 2
    assert wait_until(lambda: len(escalations_in(acme)) == 2 and len(escalations_in(globex)) == 1)
    assert sorted(escalations_in(acme)) == sorted((pk, "sla_breach") for pk in acme_ids)
    assert escalations_in(globex) == [(globex_ids[0], "sla_breach")]
    with tenant_context(globex):
        assert CallbackRequest.objects.get().escalation_level == 1
