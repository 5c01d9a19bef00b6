"""End to end with a real Celery worker: a signed call event is stored, answered 204, and processed by the
worker in the right company's schema (both companies at once, each sees only its own call)."""

import time

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from calls.models import Call
from integrations.models import WebhookEvent
from org.models import Branch, Customer
from tenants.services import phone_route_add
from tests.factories.calls import ended, signed_post
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LINES = {"acme": "+4930901820", "globex": "+4940123456"}


@pytest.fixture
def lines(companies):
    """Each company answers its own number (committed: the worker is another process)."""
    for schema, number in LINES.items():
        with tenant_context(companies[schema]):
            branch = BranchFactory(name=f"Filiale {schema}")
            phone_route_add(company=companies[schema], number=number, branch_id=branch.pk)
    yield companies
    for schema in LINES:  # committed rows in a tenant schema survive the flush of a transactional test
        with tenant_context(companies[schema]):
            Call.objects.all().delete()
            WebhookEvent.objects.all().delete()
            Customer.objects.all().delete()
            Branch.objects.all().delete()


def wait_for_call(company, call_id: str, worker) -> Call:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the Celery worker exited; see its log in test-artifacts/"
        with tenant_context(company):
            call = Call.objects.filter(retell_call_id=call_id).first()
            if call is not None:
                return call
        time.sleep(0.2)
    raise AssertionError(f"{call_id} was not processed within 30 s")


def test_the_worker_processes_each_companys_events_in_its_own_schema(celery_worker_process, lines):
    client = Client(HTTP_HOST="localhost")
    for schema, number in LINES.items():
        response = signed_post(
            client,
            "/webhooks/retell/",
            {"event": "call_ended", "call": ended(f"call_{schema}", to_number=number)},
        )
        assert response.status_code == 204
    for schema in LINES:
        call = wait_for_call(lines[schema], f"call_{schema}", celery_worker_process)
        with tenant_context(lines[schema]):
            assert call.branch.name == f"Filiale {schema}"
            assert list(Call.objects.values_list("retell_call_id", flat=True)) == [f"call_{schema}"]
            assert WebhookEvent.objects.get().status == "processed"
