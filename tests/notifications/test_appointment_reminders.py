"""Reminders 1 week, 24 h and 2 h before every appointment: moved with it, dropped with it, never late."""

from datetime import timedelta

import pytest

from appointments.models import Appointment
from common.events import emit
from notifications.models import NotificationDelivery
from notifications.services import APPOINTMENT_CANCELLED, APPOINTMENT_MOVED, APPOINTMENT_PASSED
from notifications.tasks import send_delivery
from tests.personas import BERLIN, WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status
IN_TWO_WEEKS = WEDNESDAY_10 + timedelta(days=14)  # Wednesday 18 March, 10:00


def reminders(appointment, status=Status.QUEUED) -> list[NotificationDelivery]:
    rows = NotificationDelivery.objects.filter(
        appointment=appointment, event_type__key="appointment.reminder", status=status
    )
    return list(rows.order_by("not_before"))


def send_times(appointment) -> list:
    return [r.not_before.astimezone(BERLIN).strftime("%a %d %H:%M") for r in reminders(appointment)]


@pytest.mark.parametrize("source", ["admin", "phone_agent", "calcom"])
def test_every_appointment_gets_three_reminders_whatever_created_it(acme, book, source):
    appointment = book(IN_TWO_WEEKS, source=source)
    emit("appointment.created", appointment=appointment)
    assert send_times(appointment) == ["Wed 11 10:00", "Tue 17 10:00", "Wed 18 08:00"]
    assert {r.channel for r in reminders(appointment)} == {"email"}
    assert reminders(appointment)[0].subject == "Terminerinnerung: Haircut am Mittwoch, 18. März 2026"


def test_a_moved_appointment_gets_new_reminders_and_the_old_ones_are_cancelled(acme, book):
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    old = reminders(appointment)
    appointment.starts_at = IN_TWO_WEEKS + timedelta(days=1, hours=4)  # Thursday 14:00
    appointment.ends_at = appointment.starts_at + timedelta(minutes=30)
    appointment.save()
    emit("appointment.rescheduled", appointment=appointment, previous_starts_at=IN_TWO_WEEKS)
    assert send_times(appointment) == ["Thu 12 14:00", "Wed 18 14:00", "Thu 19 12:00"]
    cancelled = reminders(appointment, Status.CANCELLED)
    assert {r.pk for r in cancelled} == {r.pk for r in old}
    assert {r.reason for r in cancelled} == {str(APPOINTMENT_MOVED)}


def test_a_repeated_event_does_not_plan_the_reminders_twice(acme, book):
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    emit("appointment.updated", appointment=appointment)
    assert len(reminders(appointment)) == 3


def test_a_cancelled_appointment_drops_its_reminders(acme, book):
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.save()
    emit("appointment.cancelled", appointment=appointment)
    assert reminders(appointment) == []
    assert {r.reason for r in reminders(appointment, Status.CANCELLED)} == {str(APPOINTMENT_CANCELLED)}


def test_reminders_whose_moment_has_passed_are_not_planned(acme, book):
    appointment = book(WEDNESDAY_10 + timedelta(hours=20))  # Thursday 06:00: only the 2 h reminder is ahead
    emit("appointment.created", appointment=appointment)
    rows = NotificationDelivery.objects.filter(
        appointment=appointment, event_type__key="appointment.reminder"
    )
    # 04:00 is inside Erika's quiet hours (20:00–08:00) and they end after the appointment starts.
    assert [(r.status, r.reminder_offset_minutes) for r in rows] == [(Status.SKIPPED, 120)]


def test_reminder_offsets_are_configurable_per_company(acme, book, company_settings):
    company_settings(NOTIFICATION_REMINDER_OFFSETS_MINUTES=[3 * 24 * 60])
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    assert send_times(appointment) == ["Sun 15 10:00"]


def test_a_reminder_is_not_sent_for_an_appointment_that_moved_in_the_meantime(acme, book, smtp, clock):
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    first = reminders(appointment)[0]
    moved = IN_TWO_WEEKS + timedelta(days=2)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=moved, ends_at=moved + timedelta(hours=1))
    clock.move_to(first.not_before, tick=False)
    send_delivery(first.pk)
    first.refresh_from_db()
    assert (first.status, first.reason) == (Status.SKIPPED, str(APPOINTMENT_MOVED))
    assert smtp.received == []


def test_a_reminder_is_never_sent_after_the_appointment_started(acme, book, smtp, clock):
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    last = reminders(appointment)[-1]
    clock.move_to(IN_TWO_WEEKS + timedelta(minutes=5), tick=False)  # the worker was down for hours
    send_delivery(last.pk)
    last.refresh_from_db()
    assert (last.status, last.reason) == (Status.SKIPPED, str(APPOINTMENT_PASSED))
    assert smtp.received == []


def test_a_due_reminder_is_sent_by_the_dispatch_sweep(
    acme, book, smtp, clock, django_capture_on_commit_callbacks
):
    from notifications.tasks import dispatch_due

    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    clock.move_to(IN_TWO_WEEKS - timedelta(days=7), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due() == 2  # the confirmation (its task was never run here) and the first reminder
    assert sorted(m.subject for m in smtp.received) == [
        "Terminbestätigung: Haircut",
        "Terminerinnerung: Haircut am Mittwoch, 18. März 2026",
    ]


def test_through_the_appointments_service_a_completed_appointment_loses_its_reminders(acme, book, mitte):
    from appointments.services.changes import appointment_update

    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    appointment_update(appointment=appointment, status=Appointment.Status.COMPLETED)
    assert reminders(appointment) == []
    assert len(reminders(appointment, Status.CANCELLED)) == 3


def test_through_the_appointments_service_a_new_staff_member_is_news_for_the_customer(acme, book, mitte):
    from appointments.services.changes import appointment_update
    from tests.factories.org import StaffFactory

    appointment = book(IN_TWO_WEEKS)
    appointment_update(appointment=appointment, staff=StaffFactory(name="Ben Berg", branches=[mitte]))
    [update] = NotificationDelivery.objects.filter(event_type__key="appointment.updated")
    assert "bei Ben Berg" in update.body


def test_moving_an_appointment_away_and_back_plans_its_reminders_again(acme, book, erika):
    erika.email = ""  # email reminders are skipped and handed to SMS: both kinds of row must come back
    erika.save()
    appointment = book(IN_TWO_WEEKS)
    emit("appointment.created", appointment=appointment)
    for starts_at in (IN_TWO_WEEKS + timedelta(days=1), IN_TWO_WEEKS):
        appointment.starts_at, appointment.ends_at = starts_at, starts_at + timedelta(minutes=30)
        appointment.save()
        emit("appointment.rescheduled", appointment=appointment)
    assert send_times(appointment) == ["Wed 11 10:00", "Tue 17 10:00", "Wed 18 08:00"]
    assert {r.channel for r in reminders(appointment)} == {"sms"}
