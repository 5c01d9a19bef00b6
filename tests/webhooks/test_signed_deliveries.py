"""What a company's own system receives: Standard Webhooks messages it verifies with its secret."""

import json

import pytest
from django.db import connection
from standardwebhooks import Webhook, WebhookVerificationError

from callbacks.services import callback_cancel, callback_create
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_create, endpoint_rotate_secret


def verified(endpoint: WebhookEndpoint, request) -> dict:
    """What a receiver does: check the signature with the endpoint's secret, then read the body."""
    return Webhook(endpoint.secret).verify(request.body, request.headers)


def test_a_new_callback_reaches_the_endpoint_signed_and_verifiable(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url, events=[EventType.CALLBACK_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        created = callback_create(branch_id=mitte.pk, phone="+4930123456", customer_name="Jonas")

    [request] = receiver.requests
    body = verified(endpoint, request)
    assert body["type"] == "callback.created"
    assert body["company"] == connection.tenant.slug
    assert body["id"] == request.headers["webhook-id"]
    assert body["data"]["callback"]["id"] == created.callback.pk
    assert set(body) == {"id", "type", "timestamp", "company", "data"}
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_cancelled_callback_reports_its_old_and_new_status(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url, events=[EventType.CALLBACK_STATUS_CHANGED])
    callback = CallbackRequestFactory(branch=mitte)
    with django_capture_on_commit_callbacks(execute=True):
        callback_cancel(callback=callback, reason="Customer called again")

    [request] = receiver.requests
    body = verified(endpoint, request)
    assert body["type"] == "callback.status_changed"
    assert (body["data"]["old_status"], body["data"]["new_status"]) == ("pending", "cancelled")


def test_an_endpoint_receives_only_the_events_it_subscribed_to(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=receiver.url, events=[EventType.APPOINTMENT_CREATED])
    WebhookEndpointFactory(url=receiver.url, events=[EventType.CALLBACK_CREATED], active=False)
    with django_capture_on_commit_callbacks(execute=True):
        callback_create(branch_id=mitte.pk, phone="+4930123456")

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_body_changed_on_the_way_fails_verification(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        callback_create(branch_id=mitte.pk, phone="+4930123456")

    request = receiver.requests[0]
    tampered = json.loads(request.body) | {"company": "globex"}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(json.dumps(tampered), request.headers)


def test_the_secret_is_a_standard_webhooks_secret_stored_encrypted(company):
    endpoint, secret = endpoint_create(
        url="https://crm.example.test/hooks", events=[EventType.CALLBACK_CREATED]
    )

    assert secret.startswith("whsec_")
    Webhook(secret)  # a receiver's library accepts it
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and secret[6:] not in stored
    assert WebhookEndpoint.objects.get().secret == secret


def test_after_rotation_messages_verify_with_the_new_secret_only(
    mitte, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    old_secret = endpoint.secret
    new_secret = endpoint_rotate_secret(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        callback_create(branch_id=mitte.pk, phone="+4930123456")

    request = receiver.requests[0]
    assert Webhook(new_secret).verify(request.body, request.headers)["type"] == "callback.created"
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)
