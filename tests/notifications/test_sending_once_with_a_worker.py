"""The same delivery queued twice to a real Celery worker reaches the customer once."""

import time

import pytest
from django_tenants.utils import tenant_context

from common.tasks import enqueue_on_commit
from notifications.models import NotificationDelivery
from notifications.tasks import send_delivery

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = NotificationDelivery.Status


@pytest.fixture
def later_sms(companies, committed_sms):
    """A second due SMS, queued after the two tasks: the solo worker takes tasks in order, so once it is
    sent both tasks for the first delivery have run."""
    with tenant_context(companies["acme"]):
        later = NotificationDelivery.objects.get(pk=committed_sms.pk)
        later.pk = None
        later.save()
    yield later
    with tenant_context(companies["acme"]):
        NotificationDelivery.objects.filter(pk=later.pk).delete()


def test_two_tasks_for_one_delivery_send_one_sms(
    celery_worker_process, companies, committed_sms, later_sms, committed_twilio
):
    with tenant_context(companies["acme"]):
        enqueue_on_commit(send_delivery, committed_sms.pk)
        enqueue_on_commit(send_delivery, committed_sms.pk)
        enqueue_on_commit(send_delivery, later_sms.pk)
        assert wait_until_done(later_sms, celery_worker_process).status == Status.SENT
        committed_sms.refresh_from_db()
    assert committed_sms.status == Status.SENT, committed_sms.reason
    assert len(committed_twilio.messages) == 2  # one for each delivery


def wait_until_done(delivery: NotificationDelivery, worker) -> NotificationDelivery:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the Celery worker exited; see its log in test-artifacts/"
        delivery.refresh_from_db()
        if delivery.status not in (Status.QUEUED, Status.SENDING):
            return delivery
        time.sleep(0.2)
    raise AssertionError(f"delivery {delivery.pk} still {delivery.status} after 30 s")
