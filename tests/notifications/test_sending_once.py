"""A delivery is sent at most once, however often its task runs."""

from datetime import timedelta

import pytest

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.services import STUCK_IN_SENDING, deliveries_fail_stuck
from notifications.tasks import dispatch_due, send_delivery
from tests.personas import WEDNESDAY_10

Status = NotificationDelivery.Status


@pytest.fixture
def confirmation(acme, book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:  # the send task is held back, not run yet
        emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    assert len(queued) == 1, "one send task is queued after commit"
    return NotificationDelivery.objects.get(event_type__key="appointment.created")


@pytest.mark.django_db
def test_the_send_task_is_queued_only_after_commit_and_sends_the_email(
    acme, book, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    delivery = NotificationDelivery.objects.get(event_type__key="appointment.created")
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
    [received] = smtp.received
    assert received.subject == "Terminbestätigung: Haircut"
    assert received.message["From"] == "Acme Praxis <noreply@switchboard.localhost>"
    assert "Erika Mustermann" in received.body("plain")
    assert "<h1" in received.body("html") and "Erika Mustermann" in received.body("html")
    assert delivery.provider_message_id == received.message["Message-ID"]


@pytest.mark.django_db
def test_a_task_that_runs_twice_sends_once(confirmation, smtp):
    assert send_delivery(confirmation.pk) == Status.SENT
    assert send_delivery(confirmation.pk) == "not claimed"  # redelivered message, second worker, ...
    assert len(smtp.received) == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.SENT, 1)


@pytest.mark.django_db
def test_the_sweep_queuing_an_already_sent_delivery_again_sends_nothing(
    confirmation, smtp, django_capture_on_commit_callbacks
):
    send_delivery(confirmation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_a_delivery_that_is_not_due_yet_is_not_sent(confirmation, smtp):
    NotificationDelivery.objects.filter(pk=confirmation.pk).update(
        not_before=WEDNESDAY_10 + timedelta(hours=1)
    )
    assert send_delivery(confirmation.pk) == "not claimed"
    assert smtp.received == []


@pytest.mark.django_db
def test_a_send_interrupted_mid_way_fails_visibly_instead_of_being_resent(confirmation, clock):
    NotificationDelivery.objects.filter(pk=confirmation.pk).update(
        status=Status.SENDING, claimed_at=WEDNESDAY_10
    )
    clock.shift(timedelta(minutes=16))
    assert deliveries_fail_stuck() == 1
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.reason) == (Status.FAILED, str(STUCK_IN_SENDING))
