"""The same delivery queued twice to a real Celery worker reaches the customer once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from common.tasks import enqueue_on_commit
from notifications.models import EventType, NotificationDelivery
from notifications.tasks import send_delivery
from tests.factories.org import CustomerFactory
from tests.notifications.conftest import SMS_SENDER, TWILIO_SID, TWILIO_TOKEN
from tests.notifications.fakes import FakeTwilio

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = NotificationDelivery.Status


@pytest.fixture
def twilio_for_worker(companies):
    """The worker is another process: it finds the stand-in through Acme's settings in the database."""
    server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, {SMS_SENDER}).start()
    acme = companies["acme"]
    acme.twilio_account_sid, acme.twilio_auth_token = TWILIO_SID, TWILIO_TOKEN
    acme.twilio_from_number = SMS_SENDER
    acme.settings = {**acme.settings, "NOTIFICATION_TWILIO_API_BASE_URL": server.base_url}
    acme.save()
    yield server
    server.stop()


def test_two_tasks_for_one_delivery_send_one_sms(celery_worker_process, companies, twilio_for_worker):
    with tenant_context(companies["acme"]):
        customer = CustomerFactory(phone="+4917012345678", consent_sms_at=timezone.now())
        delivery = NotificationDelivery.objects.create(
            event_type=EventType.objects.get(key="appointment.created"),
            channel="sms",
            recipient_kind="customer",
            customer=customer,
            address="+4917012345678",
            body="Ihr Termin ist bestätigt.",
            not_before=timezone.now() - timedelta(seconds=1),
            is_urgent=True,
        )
        try:
            delivery = send_twice_and_wait(delivery, celery_worker_process)
        finally:  # committed rows in a tenant schema survive the flush of a transactional test
            NotificationDelivery.objects.filter(pk=delivery.pk).delete()
            customer.delete()
    assert delivery.status == Status.SENT, delivery.reason
    assert len(twilio_for_worker.messages) == 1


def send_twice_and_wait(delivery: NotificationDelivery, worker) -> NotificationDelivery:
    enqueue_on_commit(send_delivery, delivery.pk)
    enqueue_on_commit(send_delivery, delivery.pk)
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
