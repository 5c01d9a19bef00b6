"""A delivery whose queued message was lost is sent by the sweep; an admin can redeliver a message.
(Endpoints inside our own network: tests/webhooks/test_refused_addresses.py.)"""

import logging
from datetime import timedelta
from unittest.mock import patch

from celery.app.task import Task
from kombu.exceptions import OperationalError
from standardwebhooks import Webhook

from callbacks.services import callback_create
from config.celery import collect_beat_schedule
from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import WebhookDelivery
from webhooks.services import deliveries_send_lost, delivery_redeliver

BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_the_sweep_is_on_the_beat_schedule():
    swept = {entry["args"][0] for entry in collect_beat_schedule().values()}
    assert "webhooks.send_lost" in swept


def test_a_delivery_whose_message_was_lost_is_sent_once_by_the_sweep(
    mitte, receiver, clock, django_capture_on_commit_callbacks, caplog
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with (
        caplog.at_level(logging.ERROR),
        patch.object(Task, "apply_async", side_effect=BROKER_DOWN),
        django_capture_on_commit_callbacks(execute=True),
    ):
        callback_create(branch_id=mitte.pk, phone="+4930123456")
    assert "Connection refused" in caplog.text
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING
    assert deliveries_send_lost() == 0  # just queued: the sweep leaves it to its own task a little longer

    clock.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_lost() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_send_lost() == 0

    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    [request] = receiver.requests
    Webhook(endpoint.secret).verify(request.body, request.headers)


def test_redelivering_sends_the_same_message_again(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        callback_create(branch_id=mitte.pk, phone="+4930123456")
    delivery = WebhookDelivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        delivery_redeliver(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCEEDED, 2)
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
