"""Retell resends a booking while the first request is still waiting for Cal.com: one appointment, and
both requests answer "booked" with it (real threads, committed data, a slow Cal.com stand-in).

The phone function's idempotency key (call + service + start) is what lets the appointment service make
the second request wait for the first."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from appointments.models import Appointment, EventTypeMapping
from calls.models import Call
from common.redis import get_redis
from org.models import Branch, Customer, Service
from tenants.services import phone_route_add
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.calls import call_object, signed_post
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.integrations.retell.conftest import WEDNESDAY_10

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+4930901820"
DANA = "+4915112345678"


@pytest.fixture
def slow_calendar(companies, settings):
    acme = companies["acme"]
    server = CalcomStandIn().start()
    server.response_delay = 0.6
    acme.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {"base_url": server.url, "read_timeout": 3.0},
    }
    with tenant_context(acme):
        branch = BranchFactory(name="Praxis Mitte")
        service = ServiceFactory(name="Beratung", branches=[branch])
        EventTypeMappingFactory(service=service, event_type_id=4242)
        CustomerFactory(name="Dana Ruiz", phone=DANA)
        phone_route_add(company=acme, number=NUMBER, branch_id=branch.pk)
    yield server
    server.stop()
    for key in get_redis().scan_iter(f"sb:{acme.schema_name}:*"):
        get_redis().delete(key)
    with tenant_context(acme):  # committed rows in a tenant schema survive the flush
        for model in (Appointment, Call, EventTypeMapping, Service, Customer, Branch):
            model.objects.all().delete()


def test_a_resent_booking_books_once_and_both_answers_say_booked(slow_calendar, companies, clock):
    tomorrow_10 = WEDNESDAY_10 + timedelta(days=1)
    body = {
        "name": "book_appointment",
        "args": {"service": "Beratung", "datetime": tomorrow_10.isoformat()},
        "call": call_object("call_race", to_number=NUMBER, from_number=DANA),
    }
    replies = []

    def book():
        replies.append(signed_post(Client(HTTP_HOST="localhost"), "/webhooks/retell/functions/", body).json())

    threads = [threading.Thread(target=book) for _ in range(2)]
    threads[0].start()
    _wait_for_booking_request(slow_calendar)  # the first request now holds the booking lock
    threads[1].start()
    for thread in threads:
        thread.join(timeout=20)
    assert [reply["status"] for reply in replies] == ["booked", "booked"], replies
    assert replies[0]["appointment_id"] == replies[1]["appointment_id"]
    with tenant_context(companies["acme"]):
        assert Appointment.objects.count() == 1
    assert len([r for r in slow_calendar.requests_to("/v2/bookings") if r.method == "POST"]) == 1


def _wait_for_booking_request(calendar: CalcomStandIn) -> None:
    deadline = time.monotonic() + 10
    while not calendar.requests_to("/v2/bookings"):
        assert time.monotonic() < deadline, "the first booking never reached Cal.com"
        time.sleep(0.01)
