"""A send whose queued message was lost (broker down at enqueue time) is sent once by the dispatch sweep."""

import logging
from datetime import timedelta
from unittest.mock import patch

import pytest
from celery.app.task import Task
from kombu.exceptions import OperationalError

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.tasks import dispatch_due
from tests.personas import WEDNESDAY_10

Status = NotificationDelivery.Status


@pytest.mark.django_db
def test_a_confirmation_whose_send_was_lost_is_sent_once_by_the_sweep(
    acme, book, smtp, django_capture_on_commit_callbacks, caplog
):
    broker_down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        caplog.at_level(logging.ERROR),
        patch.object(Task, "apply_async", side_effect=broker_down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    assert "Connection refused" in caplog.text
    delivery = NotificationDelivery.objects.get(event_type__key="appointment.created")
    assert delivery.status == Status.QUEUED and smtp.received == []

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_due()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
    assert len(smtp.received) == 1
