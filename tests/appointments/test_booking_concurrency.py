"""The same booking request arriving twice at the same moment (a phone agent retrying) books once."""

import threading

import pytest
from django.db import connection

from appointments.models import Appointment, EventTypeMapping
from appointments.services import appointment_book
from org.models import Branch, Customer, Service
from tests.appointments.conftest import next_weekday_at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed(company):
    """Rows the threads can see; removed again because a tenant schema outlives the test's flush."""
    yield
    connection.set_tenant(company)
    Appointment.objects.all().delete()
    EventTypeMapping.objects.all().delete()
    Service.objects.all().delete()
    Customer.objects.all().delete()
    Branch.objects.all().delete()


def test_two_simultaneous_requests_with_one_key_make_one_booking(
    committed, company, calcom, jonas, haircut, mitte
):
    calcom.response_delay = 0.3
    results: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def request() -> None:
        connection.set_tenant(company)
        barrier.wait()
        try:
            appointment = appointment_book(
                customer=jonas,
                service=haircut,
                branch=mitte,
                starts_at=next_weekday_at(0, 10),
                idempotency_key="k-1",
            )
            results.append(appointment.pk)
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1 and len(results) == 2
    assert len(calcom.requests_to("/v2/bookings")) == 1
