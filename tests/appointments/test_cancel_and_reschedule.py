"""Cancelling and moving appointments: the policy decides, the change is recorded, Cal.com follows."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment
from appointments.services import (
    AppointmentDeferred,
    PolicyRefused,
    SlotNotFree,
    appointment_book,
    appointment_cancel,
    appointment_push_cancel_to_calcom,
    appointment_reschedule,
)
from callbacks.models import CallbackRequest
from common.events import subscribe, unsubscribe
from policies.models import AppointmentModification
from policies.services import policy_set
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.integrations.calcom.calcom_standin import Scripted, error_body


@pytest.fixture
def booked(calcom, jonas, haircut, mitte):
    return appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))


@pytest.fixture
def strictly_booked(calcom, jonas, haircut, mitte):
    """Booked while the company asks 30 days' notice for cancellations (the policy is stored at booking)."""
    policy_set(policy_type="cancellation", settings={"hours_before": 24 * 30})
    return appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))


@pytest.fixture
def events():
    seen = []
    subscribe("appointment.*", seen.append)
    yield seen
    unsubscribe("appointment.*", seen.append)


def outage(count: int = 4) -> list[Scripted]:
    return [Scripted(503, error_body(503, "ServiceUnavailableException", "down"))] * count


def test_cancelling_records_the_modification_and_cancels_in_calcom(booked, calcom, anna, events):
    appointment_cancel(appointment=booked, by=anna, reason="Customer is ill")

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert calcom.booked[booked.calcom_booking_uid]["status"] == "cancelled"
    (sent,) = calcom.requests_to(f"/v2/bookings/{booked.calcom_booking_uid}/cancel")
    assert sent.body == {"cancellationReason": "Customer is ill"}
    change = AppointmentModification.objects.get(appointment=booked)
    assert (change.modification_type, change.within_policy, change.actor_staff) == ("cancel", True, anna)
    assert [e.name for e in events] == ["appointment.cancelled"]


def test_a_fee_from_the_policy_at_booking_is_recorded_with_the_cancellation(
    calcom, jonas, haircut, mitte, anna
):
    policy_set(policy_type="cancellation", settings={"fee": {"kind": "fixed", "amount": "15.00"}})
    booked = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    policy_set(policy_type="cancellation", settings={"fee": {"kind": "fixed", "amount": "99.00"}})

    appointment_cancel(appointment=booked, by=anna)

    assert AppointmentModification.objects.get(appointment=booked).fee_amount == Decimal("15.00")


def test_a_refused_cancellation_changes_nothing_and_says_why(strictly_booked, calcom, anna):
    booked = strictly_booked
    with pytest.raises(PolicyRefused) as refused:
        appointment_cancel(appointment=booked, by=anna)

    assert "720" in refused.value.check.reason
    assert refused.value.messages == [refused.value.check.reason]
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED
    assert calcom.requests_to(f"/v2/bookings/{booked.calcom_booking_uid}/cancel") == []
    assert not AppointmentModification.objects.exists()


def test_a_manager_may_override_a_refusal_with_a_reason(strictly_booked, calcom, max_manager):
    appointment_cancel(appointment=strictly_booked, by=max_manager, override_reason="Family emergency")

    change = AppointmentModification.objects.get(appointment=strictly_booked)
    assert change.overridden and not change.within_policy


def test_staff_cannot_override_a_refusal(strictly_booked, calcom, anna):
    with pytest.raises(ValidationError):
        appointment_cancel(appointment=strictly_booked, by=anna, override_reason="Please")
    assert calcom.requests_to(f"/v2/bookings/{strictly_booked.calcom_booking_uid}/cancel") == []


def test_a_cancellation_while_calcom_is_down_stands_and_is_pushed_later(booked, calcom, anna):
    calcom.queue(*outage(2))

    appointment_cancel(appointment=booked, by=anna)
    booked.refresh_from_db()
    assert (booked.status, booked.sync_state) == (Appointment.Status.CANCELLED, Appointment.SyncState.PENDING)

    assert appointment_push_cancel_to_calcom(appointment=booked, final_attempt=False)
    booked.refresh_from_db()
    assert booked.sync_state == Appointment.SyncState.SYNCED
    assert calcom.booked[booked.calcom_booking_uid]["status"] == "cancelled"


def test_a_cancellation_calcom_never_accepts_reaches_a_human(booked, calcom, anna):
    calcom.queue(*outage(8))
    appointment_cancel(appointment=booked, by=anna)
    booked.refresh_from_db()

    assert not appointment_push_cancel_to_calcom(appointment=booked, final_attempt=False)
    assert appointment_push_cancel_to_calcom(appointment=booked, final_attempt=True)

    booked.refresh_from_db()
    assert booked.sync_state == Appointment.SyncState.FAILED
    assert CallbackRequest.objects.get().metadata["kind"] == "unsynced_cancel"


def test_rescheduling_keeps_both_calcom_uids(booked, calcom, anna, events):
    old_uid = booked.calcom_booking_uid
    new_start = next_weekday_at(1, 14)

    appointment_reschedule(appointment=booked, new_start=new_start, by=anna, reason="Customer asked")

    booked.refresh_from_db()
    assert booked.starts_at == new_start
    assert booked.ends_at == new_start + timedelta(minutes=30)
    assert booked.calcom_booking_uid != old_uid
    assert booked.previous_booking_uids == [old_uid]
    assert calcom.booked[booked.calcom_booking_uid]["rescheduledFromUid"] == old_uid
    (sent,) = calcom.requests_to(f"/v2/bookings/{old_uid}/reschedule")
    assert sent.body == {
        "start": new_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reschedulingReason": "Customer asked",
    }
    change = AppointmentModification.objects.get(appointment=booked)
    assert (change.modification_type, change.new_starts_at) == ("reschedule", new_start)
    assert events[-1].name == "appointment.rescheduled"
    assert events[-1]["previous_starts_at"] == next_weekday_at(0, 10)


def test_rescheduling_twice_builds_a_chain_of_uids(booked, calcom, anna):
    first_uid = booked.calcom_booking_uid
    appointment_reschedule(appointment=booked, new_start=next_weekday_at(1, 14), by=anna)
    second_uid = Appointment.objects.get().calcom_booking_uid

    appointment_reschedule(appointment=Appointment.objects.get(), new_start=next_weekday_at(2, 9), by=anna)

    moved = Appointment.objects.get()
    assert moved.previous_booking_uids == [first_uid, second_uid]
    assert moved.all_booking_uids == [moved.calcom_booking_uid, second_uid, first_uid]


def test_rescheduling_into_a_taken_slot_changes_nothing(booked, calcom, anna):
    taken = next_weekday_at(1, 14)
    calcom.book({"start": taken.astimezone(UTC).isoformat(), "eventTypeId": EVENT_TYPE})

    with pytest.raises(SlotNotFree):
        appointment_reschedule(appointment=booked, new_start=taken, by=anna)

    booked.refresh_from_db()
    assert booked.starts_at == next_weekday_at(0, 10)
    assert not AppointmentModification.objects.exists()


def test_rescheduling_while_calcom_is_down_becomes_a_callback_request(booked, calcom, anna):
    calcom.queue(*outage())

    with pytest.raises(AppointmentDeferred) as deferred:
        appointment_reschedule(appointment=booked, new_start=next_weekday_at(1, 14), by=anna)

    assert deferred.value.callback.metadata["appointment_id"] == booked.pk
    assert deferred.value.callback.metadata["starts_at"] == next_weekday_at(1, 14).isoformat()
    booked.refresh_from_db()
    assert booked.starts_at == next_weekday_at(0, 10)


def test_a_cancelled_appointment_cannot_be_changed(booked, calcom, anna):
    appointment_cancel(appointment=booked, by=anna)
    booked.refresh_from_db()

    with pytest.raises(ValidationError):
        appointment_reschedule(appointment=booked, new_start=next_weekday_at(1, 14), by=anna)
    with pytest.raises(ValidationError):
        appointment_cancel(appointment=booked, by=anna)


def test_if_saving_a_move_fails_after_calcom_moved_it_a_human_gets_a_callback(booked, calcom, anna):
    def broken_subscriber(event):
        raise RuntimeError("subscriber failed")

    subscribe("appointment.rescheduled", broken_subscriber)
    try:
        with pytest.raises(RuntimeError):
            appointment_reschedule(appointment=booked, new_start=next_weekday_at(1, 14), by=anna)
    finally:
        unsubscribe("appointment.rescheduled", broken_subscriber)

    booked.refresh_from_db()
    assert booked.starts_at == next_weekday_at(0, 10)
    callback = CallbackRequest.objects.get()
    assert callback.metadata["kind"] == "unsaved_move"
    assert callback.metadata["calcom_booking_uid"] != booked.calcom_booking_uid
