"""Every request the client sends is checked against Cal.com's own OpenAPI document, served by Prism.

Prism answers a request that breaks the contract (missing header, missing field, wrong type) with 422,
which the client raises as CalcomRequestRejected, so each call below passing means the request is valid.
Prism's answers are static examples (dates in 2050, a booking "cancelled"): only the requests are judged.
"""

from datetime import UTC, datetime

import httpx
import pytest

from integrations.calcom.errors import CalcomRequestRejected
from integrations.calcom.types import Attendee

START = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_prism_really_rejects_a_request_that_breaks_the_contract(prism_url):
    answer = httpx.get(f"{prism_url}/v2/slots", params={"eventTypeId": 7, "end": "2026-11-24T00:00:00Z"})

    assert answer.status_code == 422
    assert "cal-api-version" in answer.text
    assert "start" in answer.text


def test_slot_request_matches_the_contract(contract_client):
    slots = contract_client.slots(
        event_type_id=7, start=START, end=datetime(2026, 11, 24, tzinfo=UTC), time_zone="Europe/Berlin"
    )

    assert isinstance(slots, list)


def test_booking_request_matches_the_contract(contract_client):
    attendee = Attendee(name="Jonas Weber", time_zone="Europe/Berlin", phone="+4915112345678", language="de")

    booking = contract_client.create_booking(
        event_type_id=7, start=START, attendee=attendee, metadata={"switchboard_appointment_id": 42}
    )

    assert booking.uid


def test_cancel_and_reschedule_requests_match_the_contract(contract_client):
    cancelled = contract_client.cancel_booking("booking_uid_123", reason="Customer called to cancel")
    moved = contract_client.reschedule_booking("booking_uid_123", start=START, reason="Customer asked")

    assert cancelled.uid and moved.uid


def test_reservation_requests_match_the_contract(contract_client):
    reservation = contract_client.reserve_slot(event_type_id=7, start=START, minutes=5)
    contract_client.release_reservation(reservation.uid)

    assert reservation.uid


def test_event_type_and_profile_requests_match_the_contract(contract_client):
    assert contract_client.me()
    assert contract_client.event_types(username="acme")
    assert contract_client.event_type(7).id


def test_a_request_without_the_required_start_is_rejected_by_the_contract(contract_client):
    with pytest.raises(CalcomRequestRejected) as rejected:
        contract_client._call(
            "POST", "/v2/bookings/booking_uid_123/reschedule", group="bookings", json_body={}
        )

    assert rejected.value.status_code == 422
