"""Through a real Celery worker: a delivery created in a committed transaction is sent, in the right
company's schema, and verifies at the receiver."""

import time

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from standardwebhooks import Webhook

from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import EventType, WebhookDelivery
from webhooks.services import deliveries_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committed_endpoint(companies, receiver):
    with tenant_context(companies["acme"]):
        endpoint = WebhookEndpointFactory(url=receiver.url)
    yield endpoint
    with tenant_context(companies["acme"]):
        endpoint.delete()


def test_a_committed_delivery_is_sent_by_the_worker(
    celery_worker_process, companies, committed_endpoint, receiver
):
    with tenant_context(companies["acme"]):
        with transaction.atomic():
            [delivery] = deliveries_create(
                event_type=EventType.CALLBACK_CREATED,
                data={"callback": {"id": 7}},
                occurred_at=timezone.now(),
            )
        assert wait_until_done(delivery, celery_worker_process).status == WebhookDelivery.Status.SUCCEEDED

    [request] = receiver.requests
    body = Webhook(committed_endpoint.secret).verify(request.body, request.headers)
    assert (body["company"], body["data"]) == ("acme", {"callback": {"id": 7}})


def wait_until_done(delivery: WebhookDelivery, worker) -> WebhookDelivery:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the Celery worker exited; see its log in test-artifacts/"
        delivery.refresh_from_db()
        if delivery.status != WebhookDelivery.Status.PENDING:
            return delivery
        time.sleep(0.2)
    raise AssertionError(f"delivery {delivery.pk} still pending after 30 s")
