"""Failed deliveries are retried with backoff for about a day, then failed; an endpoint failing for a day is
switched off and flagged for the company's admins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.common.outbound_listener import Listener
from tests.factories.webhooks import WebhookEndpointFactory
from tests.ops.metrics_helpers import sample
from webhooks import services
from webhooks.models import EventType, WebhookDelivery
from webhooks.services import ENDPOINT_DISABLED, ENDPOINT_DISABLED_SUBJECT, deliveries_create, delivery_send


def queue_one(endpoint) -> WebhookDelivery:
    """A delivery as an event creates it; the test sends it itself (no commit, no task)."""
    [delivery] = deliveries_create(
        event_type=EventType.CALLBACK_CREATED, data={"callback": {"id": 1}}, occurred_at=timezone.now()
    )
    return delivery


def send_until_settled(delivery: WebhookDelivery, clock) -> list[timedelta]:
    """Attempt at every due time until the delivery is no longer pending; the waits between attempts."""
    waits = []
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    while delivery.status == WebhookDelivery.Status.PENDING:
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        clock.move_to(delivery.next_attempt_at, tick=False)
        delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
    return waits


def test_a_failed_delivery_waits_before_its_next_attempt(company, receiver, clock):
    receiver.answers = [500]
    delivery = queue_one(WebhookEndpointFactory(url=receiver.url))

    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert (delivery.attempts, delivery.response_status, delivery.error) == (1, 500, "HTTP 500")
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=5)
    assert delivery_send(delivery_id=delivery.pk) is None  # not due yet: nothing is sent twice
    assert len(receiver.requests) == 1


def outcomes() -> dict[str, float]:
    return {o: sample("outbound_webhook_deliveries_total", outcome=o) for o in ("retrying", "failed")}


def test_a_delivery_failing_every_attempt_is_failed_after_about_a_day(company, receiver, clock):
    receiver.answers = [503] * 20
    delivery = queue_one(WebhookEndpointFactory(url=receiver.url))
    before = outcomes()

    waits = send_until_settled(delivery, clock)

    after = outcomes()
    assert (after["retrying"] - before["retrying"], after["failed"] - before["failed"]) == (7, 1)

    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(receiver.requests) == 8
    assert waits == sorted(waits)  # backing off
    assert timedelta(hours=24) < sum(waits, timedelta()) < timedelta(hours=30)


def test_a_retry_that_succeeds_clears_the_failure(company, receiver, clock):
    receiver.answers = [500, 500]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    delivery = queue_one(endpoint)

    send_until_settled(delivery, clock)

    endpoint.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (3, 200)
    assert endpoint.failing_since is None and endpoint.active
    assert delivery.duration_ms is not None


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_admins_told(
    company, ada, receiver, clock, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    ada.email = "ada@acme.test"
    ada.save(update_fields=["email"])
    receiver.answers = [500] * 20
    endpoint = WebhookEndpointFactory(url=receiver.url)
    first = queue_one(endpoint)
    delivery_send(delivery_id=first.pk)
    clock.shift(timedelta(hours=23))
    delivery_send(delivery_id=queue_one(endpoint).pk)
    endpoint.refresh_from_db()
    assert endpoint.active  # failing for 23 hours: still on

    clock.shift(timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        delivery_send(delivery_id=queue_one(endpoint).pk)

    [mail] = [m for m in mailoutbox if m.to == ["ada@acme.test"]]
    assert mail.subject == ENDPOINT_DISABLED_SUBJECT % {"url": endpoint.url}

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_reason == ENDPOINT_DISABLED.format(hours=24)
    assert "disabled" in caplog.text
    new = deliveries_create(event_type=EventType.CALLBACK_CREATED, data={}, occurred_at=timezone.now())
    assert new == []  # a disabled endpoint gets no new messages


def test_switching_an_endpoint_back_on_clears_its_failure_record(company, clock):
    endpoint = WebhookEndpointFactory(active=False, disabled_reason="x", failing_since=timezone.now())
    endpoint.active = True

    services.endpoint_update(endpoint=endpoint)

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since, endpoint.disabled_reason) == (True, None, "")


def test_an_unreachable_endpoint_is_a_failed_attempt(company, clock):
    listener = Listener()
    port = listener.port
    listener.close()  # nothing listens there any more: the connection is refused
    delivery = queue_one(WebhookEndpointFactory(url=f"http://127.0.0.1:{port}/hooks"))

    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status is None and delivery.error


def test_an_endpoint_that_never_answers_times_out(company, clock, monkeypatch):
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 0.5)
    listener = Listener()  # accepts the connection, never answers
    delivery = queue_one(WebhookEndpointFactory(url=listener.url()))

    delivery_send(delivery_id=delivery.pk)

    listener.close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "timed out" in delivery.error.lower()


@pytest.mark.parametrize("answer", [301, 404])
def test_anything_but_a_2xx_answer_is_a_failure(company, receiver, clock, answer):
    receiver.answers = [answer]
    delivery = queue_one(WebhookEndpointFactory(url=receiver.url))

    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status) == (WebhookDelivery.Status.PENDING, answer)
