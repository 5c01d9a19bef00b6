"""Appointments through the API: cancel and move go through the policy engine; the answer has its verdict."""

from decimal import Decimal

import pytest

from appointments.models import Appointment
from appointments.services import appointment_book
from policies.models import AppointmentModification
from policies.services import policy_set
from tests.appointments.conftest import (  # noqa: F401 (fixtures)
    _cold_policy_cache,
    calcom,
    haircut,
    jonas,
    next_weekday_at,
)

JSON = "application/json"


@pytest.fixture
def book(calcom, jonas, haircut, mitte):  # noqa: F811
    """Book Jonas's haircut next Monday at 10, under a cancellation policy if one is given."""

    def make(**cancellation_policy) -> Appointment:
        if cancellation_policy:
            policy_set(policy_type="cancellation", settings=cancellation_policy)
        start = next_weekday_at(0, 10)
        return appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=start)

    return make


@pytest.fixture
def booked(book) -> Appointment:
    return book()


def test_appointments_are_listed_and_retrieved(reader, booked):
    assert [a["id"] for a in reader.get("/api/v1/appointments/").json()["results"]] == [booked.pk]
    assert reader.get(f"/api/v1/appointments/{booked.pk}/").json()["reference"] == str(booked.reference)


def test_a_cancellation_answers_with_the_verdict_and_the_fee(api, book):
    booked = book(fee={"kind": "fixed", "amount": "15.00"})

    response = api.post(f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "ill"}, content_type=JSON)

    assert response.status_code == 200
    body = response.json()
    assert body["appointment"]["status"] == Appointment.Status.CANCELLED
    assert Decimal(body["verdict"]["fee_amount"]) == Decimal("15.00")
    assert body["verdict"]["within_policy"] is True
    assert AppointmentModification.objects.get().reason == "ill"


def test_a_refused_cancellation_is_a_400_that_says_why(api, book):
    booked = book(hours_before=24 * 30)

    response = api.post(f"/api/v1/appointments/{booked.pk}/cancel/", {}, content_type=JSON)

    assert response.status_code == 400
    assert "720" in response.json()["message"]
    booked.refresh_from_db()
    assert booked.status != Appointment.Status.CANCELLED


def test_a_manager_named_in_the_request_may_override_a_refusal(api, book, max_manager):
    booked = book(hours_before=24 * 30)

    response = api.post(
        f"/api/v1/appointments/{booked.pk}/cancel/",
        {"staff": max_manager.pk, "override_reason": "Family emergency"},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert response.json()["verdict"]["overridden"] is True


def test_a_reschedule_moves_the_appointment(api, booked):
    new_start = next_weekday_at(1, 14)

    response = api.post(
        f"/api/v1/appointments/{booked.pk}/reschedule/",
        {"new_start": new_start.isoformat()},
        content_type=JSON,
    )

    assert response.status_code == 200
    booked.refresh_from_db()
    assert booked.starts_at == new_start
    assert response.json()["verdict"]["code"]
