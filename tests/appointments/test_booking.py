"""Booking an appointment: Cal.com first, then the local appointment, and what happens when either fails."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment
from appointments.services import (
    CUSTOMER_BUSY,
    AppointmentDeferred,
    SlotNotFree,
    appointment_book,
    slot_hold,
    slot_hold_release,
)
from callbacks.models import CallbackRequest
from common.events import subscribe, unsubscribe
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.factories.appointments import AppointmentFactory
from tests.integrations.calcom.calcom_standin import Scripted, error_body

MONDAY_10 = lambda: next_weekday_at(0, 10)  # noqa: E731


@pytest.fixture
def recorded_events():
    events = []

    def record(event):
        events.append(event)

    subscribe("appointment.*", record)
    yield events
    unsubscribe("appointment.*", record)


def book(jonas, haircut, mitte, **kwargs):
    return appointment_book(
        customer=jonas, service=haircut, branch=mitte, **{"starts_at": MONDAY_10(), **kwargs}
    )


def outage(count: int = 4) -> list[Scripted]:
    return [Scripted(503, error_body(503, "ServiceUnavailableException", "down"))] * count


def test_booking_creates_the_calcom_booking_then_the_appointment(
    calcom, jonas, haircut, mitte, recorded_events
):
    appointment = book(jonas, haircut, mitte, source=Appointment.Source.PHONE_AGENT)

    (sent,) = calcom.requests_to("/v2/bookings")
    assert sent.headers["cal-api-version"] == "2024-08-13"
    assert sent.body["eventTypeId"] == EVENT_TYPE
    assert sent.body["start"] == MONDAY_10().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sent.body["attendee"] == {
        "name": "Jonas Weber",
        "timeZone": "Europe/Berlin",
        "email": "jonas@example.test",
        "phoneNumber": "+4915112345678",
        "language": "de",
    }
    assert sent.body["metadata"]["switchboard_ref"] == str(appointment.reference)
    appointment.refresh_from_db()
    assert appointment.calcom_booking_uid in calcom.booked
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.starts_at == MONDAY_10()
    assert appointment.ends_at == MONDAY_10() + timedelta(minutes=30)
    assert appointment.sync_state == Appointment.SyncState.SYNCED
    assert appointment.policy_snapshot["cancellation"]
    assert [(e.name, e["appointment"]) for e in recorded_events] == [("appointment.created", appointment)]


def test_the_same_request_key_books_only_once(calcom, jonas, haircut, mitte):
    first = book(jonas, haircut, mitte, idempotency_key="call-77:book")
    again = book(jonas, haircut, mitte, idempotency_key="call-77:book")

    assert again == first
    assert len(calcom.requests_to("/v2/bookings")) == 1
    assert Appointment.objects.count() == 1


def test_a_taken_slot_is_refused_and_nothing_is_saved(calcom, jonas, haircut, mitte):
    calcom.book({"start": MONDAY_10().astimezone(UTC).isoformat(), "eventTypeId": EVENT_TYPE})

    with pytest.raises(SlotNotFree):
        book(jonas, haircut, mitte)

    assert calcom.requests_to("/v2/bookings") == [], "the re-check found it taken before trying to book"
    assert not Appointment.objects.exists()


def test_a_slot_taken_between_check_and_booking_is_refused(calcom, jonas, haircut, mitte):
    calcom.queue(
        Scripted(
            400,
            error_body(
                400, "BadRequestException", "User either already has booking at this time or is not available"
            ),
            path_prefix="/v2/bookings",
        )
    )

    with pytest.raises(SlotNotFree):
        book(jonas, haircut, mitte)
    assert not Appointment.objects.exists()


def test_a_time_outside_opening_hours_is_refused_before_asking_calcom(calcom, jonas, haircut, mitte):
    with pytest.raises(ValidationError) as refused:
        book(jonas, haircut, mitte, starts_at=next_weekday_at(0, 17, 45))

    assert "starts_at" in refused.value.message_dict
    assert calcom.seen == []


def test_a_customer_is_never_booked_over_their_own_appointment(calcom, jonas, haircut, mitte):
    AppointmentFactory(
        customer=jonas, service=haircut, branch=mitte, starts_at=MONDAY_10() - timedelta(minutes=15)
    )

    with pytest.raises(ValidationError) as refused:
        book(jonas, haircut, mitte)

    assert refused.value.message_dict["starts_at"] == [str(CUSTOMER_BUSY)]


def test_when_calcom_is_down_the_request_becomes_a_callback_request(calcom, jonas, haircut, mitte, anna):
    calcom.queue(*outage())

    with pytest.raises(AppointmentDeferred) as deferred:
        book(jonas, haircut, mitte, staff=anna, idempotency_key="call-9:book")

    callback = deferred.value.callback
    assert callback.source == CallbackRequest.Source.BOOKING_FAILURE
    assert callback.customer == jonas
    assert callback.service == haircut
    assert callback.preferred_staff == anna
    assert callback.preferred_window_start is None, "the wished slot is no reason to delay the callback"
    assert callback.expires_at < MONDAY_10()
    assert callback.metadata["starts_at"] == MONDAY_10().isoformat()
    assert callback.metadata["idempotency_key"] == "call-9:book"
    assert not Appointment.objects.exists()


def test_a_customer_with_only_an_email_is_not_lost_when_calcom_is_down(calcom, jonas, haircut, mitte):
    jonas.phone = ""
    jonas.save(update_fields=["phone"])
    calcom.queue(*outage())

    with pytest.raises(AppointmentDeferred) as deferred:
        book(jonas, haircut, mitte, idempotency_key="call-10:book")

    callback = deferred.value.callback
    assert (str(callback.phone), callback.customer_email) == ("", jonas.email)
    assert callback.customer == jonas


def test_repeating_a_request_while_calcom_is_down_gives_the_same_callback(calcom, jonas, haircut, mitte):
    calcom.queue(*outage(8))

    with pytest.raises(AppointmentDeferred) as first:
        book(jonas, haircut, mitte, idempotency_key="call-9:book")
    with pytest.raises(AppointmentDeferred) as second:
        book(jonas, haircut, mitte, idempotency_key="call-9:book")

    assert first.value.callback == second.value.callback
    assert CallbackRequest.objects.count() == 1


def book_while_saving_fails(jonas, haircut, mitte, before_failing=lambda: None) -> None:
    """A subscriber of appointment.created fails, so the local write rolls back after Cal.com booked."""

    def broken_subscriber(event):
        before_failing()
        raise RuntimeError("subscriber failed")

    subscribe("appointment.created", broken_subscriber)
    try:
        with pytest.raises(RuntimeError):
            book(jonas, haircut, mitte)
    finally:
        unsubscribe("appointment.created", broken_subscriber)


def test_if_saving_fails_after_calcom_booked_the_calcom_booking_is_cancelled(calcom, jonas, haircut, mitte):
    book_while_saving_fails(jonas, haircut, mitte)

    (uid,) = calcom.booked
    assert calcom.booked[uid]["status"] == "cancelled"
    assert not Appointment.objects.exists()


def test_if_saving_and_cancelling_both_fail_a_human_gets_a_callback(calcom, jonas, haircut, mitte):
    def calcom_goes_down():
        calcom.queue(*[Scripted(503, error_body(503, "X", "down"), path_prefix="/v2/bookings/")] * 2)

    book_while_saving_fails(jonas, haircut, mitte, before_failing=calcom_goes_down)

    (uid,) = calcom.booked
    callback = CallbackRequest.objects.get()
    assert callback.metadata["kind"] == "orphaned_booking"
    assert callback.metadata["calcom_booking_uid"] == uid
    assert uid in callback.notes


def test_a_held_slot_is_booked_and_the_hold_settled(calcom, jonas, haircut, mitte):
    hold = slot_hold(service=haircut, branch=mitte, starts_at=MONDAY_10(), customer=jonas)

    appointment = book(jonas, haircut, mitte, hold=hold)

    (reserved,) = calcom.requests_to("/v2/slots/reservations")
    assert reserved.body == {
        "eventTypeId": EVENT_TYPE,
        "slotStart": MONDAY_10().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reservationDuration": 5,
    }
    hold.refresh_from_db()
    assert hold.status == hold.Status.BOOKED
    assert hold.appointment == appointment


def test_a_released_hold_is_given_back_to_calcom(calcom, jonas, haircut, mitte):
    hold = slot_hold(service=haircut, branch=mitte, starts_at=MONDAY_10(), customer=jonas)

    slot_hold_release(hold=hold)

    assert [s.method for s in calcom.requests_to("/v2/slots/reservations/")] == ["DELETE"]
    assert hold.status == hold.Status.RELEASED


def test_holds_whose_reservation_ran_out_are_marked_released(calcom, jonas, haircut, mitte):
    from appointments.services import slot_holds_expire

    hold = slot_hold(service=haircut, branch=mitte, starts_at=MONDAY_10(), customer=jonas)

    assert slot_holds_expire() == 0
    assert slot_holds_expire(now=hold.expires_at + timedelta(seconds=1)) == 1
    hold.refresh_from_db()
    assert hold.status == hold.Status.RELEASED
