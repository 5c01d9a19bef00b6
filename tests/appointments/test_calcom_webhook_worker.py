"""A Cal.com webhook is answered by the web process and applied by a real Celery worker, in its schema."""

import json
import time
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from appointments.models import Appointment, EventTypeMapping
from integrations.calcom.signature import calcom_signature
from integrations.models import WebhookEvent
from org.models import Branch, Customer, Service
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.org import BranchFactory, ServiceFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SECRET = "whsec-worker"


@pytest.fixture
def acme_calendar(companies):
    """Committed rows (the worker is another process); removed again because a tenant schema outlives the
    transactional test's flush."""
    acme = companies["acme"]
    acme.calcom_webhook_secret = SECRET
    acme.save()
    with tenant_context(acme):
        branch = BranchFactory(name="Mitte")
        service = ServiceFactory(name="Haarschnitt", branches=[branch])
        EventTypeMappingFactory(service=service, event_type_id=EVENT_TYPE)
    yield acme
    with tenant_context(acme):
        Appointment.objects.all().delete()
        WebhookEvent.objects.all().delete()
        Customer.objects.all().delete()
        EventTypeMapping.objects.all().delete()
        Service.objects.all().delete()
        Branch.objects.all().delete()


def test_a_booking_made_in_calcom_is_applied_by_the_worker(celery_worker_process, acme_calendar):
    start = next_weekday_at(0, 10)
    body = {
        "triggerEvent": "BOOKING_CREATED",
        "payload": {
            "uid": "uid-worker",
            "eventTypeId": EVENT_TYPE,
            "startTime": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endTime": (start + timedelta(minutes=30)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "ACCEPTED",
            "attendees": [{"name": "Lena", "email": "lena@example.test", "timeZone": "Europe/Berlin"}],
        },
    }
    raw = json.dumps(body).encode()

    started = time.monotonic()
    response = Client(HTTP_HOST="localhost").post(
        "/webhooks/calcom/acme",
        raw,
        content_type="application/json",
        HTTP_X_CAL_SIGNATURE_256=calcom_signature(raw, SECRET),
    )
    answered_in = time.monotonic() - started

    assert response.status_code == 200
    assert answered_in < 1.0
    connection.set_tenant(acme_calendar)
    stored = wait_until_done(celery_worker_process)
    assert stored.status == WebhookEvent.Status.PROCESSED, stored.error
    appointment = Appointment.objects.get(calcom_booking_uid="uid-worker")
    assert appointment.starts_at == start
    assert appointment.customer.email == "lena@example.test"


def wait_until_done(worker) -> WebhookEvent:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the Celery worker exited; see its log in test-artifacts/"
        stored = WebhookEvent.objects.get()
        if stored.status not in (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.PROCESSING):
            return stored
        time.sleep(0.2)
    return WebhookEvent.objects.get()
