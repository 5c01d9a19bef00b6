"""The same delivery queued twice to a real Celery worker reaches the customer once."""

import time

import pytest
from django_tenants.utils import tenant_context

from common.tasks import enqueue_on_commit
from notifications.models import NotificationDelivery
from notifications.tasks import send_delivery

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = NotificationDelivery.Status


def test_two_tasks_for_one_delivery_send_one_sms(
    celery_worker_process, companies, committed_sms, committed_twilio
):
    with tenant_context(companies["acme"]):
        enqueue_on_commit(send_delivery, committed_sms.pk)
        enqueue_on_commit(send_delivery, committed_sms.pk)
        delivery = wait_until_done(committed_sms, celery_worker_process)
    assert delivery.status == Status.SENT, delivery.reason
    assert len(committed_twilio.messages) == 1


def wait_until_done(delivery: NotificationDelivery, worker) -> NotificationDelivery:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the Celery worker exited; see its log in test-artifacts/"
        delivery.refresh_from_db()
        if delivery.status not in (Status.QUEUED, Status.SENDING):
            break
        time.sleep(0.2)
    time.sleep(1)  # give the second task time to run (and, if it were broken, to send again)
    delivery.refresh_from_db()
    return delivery
