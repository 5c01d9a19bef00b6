"""In production an endpoint inside our own network is refused before any connection is made, and for good:
the delivery fails at once with the reason instead of retrying for a day. A name that does not resolve may
resolve later, so that is an ordinary failed attempt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.outbound import REFUSED_ADDRESS
from tests.common.outbound_listener import Listener
from tests.factories.webhooks import WebhookEndpointFactory
from tests.ops.metrics_helpers import sample
from webhooks.models import EventType, WebhookDelivery
from webhooks.services import deliveries_create, delivery_send


@pytest.fixture
def production_guard(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def queue_one() -> WebhookDelivery:
    [delivery] = deliveries_create(
        event_type=EventType.CALLBACK_CREATED, data={"callback": {"id": 1}}, occurred_at=timezone.now()
    )
    return delivery


def test_a_delivery_to_our_own_network_fails_at_once_with_the_reason(
    company, clock, production_guard, listener, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=listener.url())
    delivery = queue_one()
    failed_before = sample("outbound_webhook_deliveries_total", outcome="failed")

    with django_capture_on_commit_callbacks() as queued:
        delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert listener.connections() == 0
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 1)
    assert delivery.error == REFUSED_ADDRESS.format(host="127.0.0.1", address="127.0.0.1")
    assert delivery.next_attempt_at is None
    assert queued == []  # no retry is queued
    assert sample("outbound_webhook_deliveries_total", outcome="failed") == failed_before + 1
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # a refusal is not the endpoint being down


def test_a_refused_delivery_is_never_attempted_again(company, clock, production_guard, listener):
    WebhookEndpointFactory(url=listener.url())
    delivery = queue_one()
    delivery_send(delivery_id=delivery.pk)

    clock.shift(timedelta(hours=30))  # past the whole retry schedule
    assert delivery_send(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 1)
    assert listener.connections() == 0


def test_a_name_that_does_not_resolve_is_retried(company, clock, production_guard):
    WebhookEndpointFactory(url="https://hooks.example.invalid/switchboard")
    delivery = queue_one()

    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=5)
    assert "does not resolve" in delivery.error
