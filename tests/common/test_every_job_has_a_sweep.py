"""Every queued job has a sweep: when the broker is down at enqueue time the message is lost (logged and
swallowed by `enqueue_on_commit`), the change stays committed, and the job's periodic sweep does the work,
exactly once however often it runs.
"""

import json
import logging
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from celery.app.task import Task
from kombu.exceptions import OperationalError

from appointments.models import Appointment
from appointments.services import appointment_book, appointment_cancel, appointments_push_pending_cancels
from callbacks import sweeps as callback_sweeps
from callbacks.models import CallbackRequest
from callbacks.services import callback_create
from calls.models import Call
from config.celery import collect_beat_schedule
from integrations.calcom.services import calcom_event_store, calcom_events_sweep
from integrations.models import WebhookEvent
from integrations.retell.payloads import CallEvent
from integrations.retell.services import retell_event_store, retell_events_sweep
from tests.appointments import conftest as acme_calendar
from tests.appointments.conftest import next_weekday_at
from tests.appointments.test_calcom_webhooks import booking_payload
from tests.appointments.test_cancel_and_reschedule import outage
from tests.factories.calls import ended

# Acme's calendar in the Cal.com stand-in, Jonas and the mapped haircut, as the appointment tests have them.
calcom, haircut, jonas = acme_calendar.calcom, acme_calendar.haircut, acme_calendar.jonas
_cold_policy_cache = acme_calendar._cold_policy_cache
BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@contextmanager
def broker_down(django_capture_on_commit_callbacks, caplog):
    """Whatever is queued in this block is lost: sending fails after the commit, as with Redis down."""
    with (
        caplog.at_level(logging.ERROR),
        patch.object(Task, "apply_async", side_effect=BROKER_DOWN),
        django_capture_on_commit_callbacks(execute=True),
    ):
        yield
    assert "Connection refused" in caplog.text  # lost, logged, and the change still committed


def test_every_sweep_named_here_is_on_the_beat_schedule():
    swept = {entry["args"][0] for entry in collect_beat_schedule().values()}
    assert {
        "calcom.sweep_stuck_events",
        "retell.sweep_stuck_events",
        "appointments.push_pending_cancels",
        "callbacks.assign_pending",
        "callbacks.release_unavailable_staff",
        "notifications.dispatch_due",
    } <= swept


def test_a_calcom_event_whose_message_was_lost_is_applied_once_by_the_sweep(
    calcom, haircut, clock, django_capture_on_commit_callbacks, caplog
):
    body = booking_payload("BOOKING_CREATED", "uid-lost")
    with broker_down(django_capture_on_commit_callbacks, caplog):
        stored, _ = calcom_event_store(body=body, raw_body=json.dumps(body).encode(), headers={})
    assert stored.status == WebhookEvent.Status.RECEIVED
    assert calcom_events_sweep() == 0  # still fresh: its task may yet come

    clock.shift(timedelta(minutes=2))
    assert [calcom_events_sweep(), calcom_events_sweep()] == [1, 0]

    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (WebhookEvent.Status.PROCESSED, 1)
    assert Appointment.objects.filter(calcom_booking_uid="uid-lost").count() == 1


def test_a_retell_call_event_whose_message_was_lost_is_applied_once_by_the_sweep(
    company, clock, django_capture_on_commit_callbacks, caplog
):
    call = ended("call_lost", to_number="+4930901820")
    body = {"event": "call_ended", "call": call}
    with broker_down(django_capture_on_commit_callbacks, caplog):
        retell_event_store(
            event=CallEvent("call_ended", call, body), raw_body=json.dumps(body).encode(), headers={}
        )
    assert not Call.objects.exists()

    clock.shift(timedelta(minutes=11))
    assert [retell_events_sweep(), retell_events_sweep()] == [1, 0]

    assert Call.objects.filter(retell_call_id="call_lost").count() == 1


def test_a_cancellation_whose_push_was_lost_reaches_calcom_once_through_the_sweep(
    calcom, jonas, haircut, mitte, anna, clock, django_capture_on_commit_callbacks, caplog
):
    booked = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    cancel_path = f"/v2/bookings/{booked.calcom_booking_uid}/cancel"
    calcom.queue(*outage(2))
    with broker_down(django_capture_on_commit_callbacks, caplog):
        appointment_cancel(appointment=booked, by=anna)
    tried_while_down = len(calcom.requests_to(cancel_path))
    assert appointments_push_pending_cancels() == 0  # still fresh: its task may yet come

    clock.shift(timedelta(minutes=3))
    assert [appointments_push_pending_cancels(), appointments_push_pending_cancels()] == [1, 0]

    booked.refresh_from_db()
    assert booked.sync_state == Appointment.SyncState.SYNCED
    assert len(calcom.requests_to(cancel_path)) == tried_while_down + 1
    assert calcom.booked[booked.calcom_booking_uid]["status"] == "cancelled"


def test_a_cancellation_calcom_never_takes_reaches_a_human_once_through_the_sweep(
    calcom, jonas, haircut, mitte, anna, clock, django_capture_on_commit_callbacks, caplog
):
    booked = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    calcom.queue(*outage(2))
    with broker_down(django_capture_on_commit_callbacks, caplog):
        appointment_cancel(appointment=booked, by=anna)

    clock.shift(timedelta(minutes=40))  # past the give-up age: the sweep's attempt is the last one
    calcom.queue(*outage(8))
    with django_capture_on_commit_callbacks(execute=True):
        assert [appointments_push_pending_cancels(), appointments_push_pending_cancels()] == [1, 0]

    booked.refresh_from_db()
    assert booked.sync_state == Appointment.SyncState.FAILED
    assert CallbackRequest.objects.filter(metadata__kind="unsynced_cancel").count() == 1


def test_a_callback_whose_assignment_was_lost_is_assigned_once_by_the_sweep(
    mitte, anna, clock, django_capture_on_commit_callbacks, caplog
):
    with broker_down(django_capture_on_commit_callbacks, caplog):
        callback, _ = callback_create(branch_id=mitte.pk, phone="+4915112345678", customer_name="Jonas")
    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.PENDING

    callback_sweeps.assign_pending()
    callback_sweeps.assign_pending()

    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (CallbackRequest.Status.ASSIGNED, anna)
    assert callback.timeline.filter(message__key="assigned_to").count() == 1
