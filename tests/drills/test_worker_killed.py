"""A Celery worker killed with SIGKILL in the middle of a job: Redis hands the job out again and its effect
happens once.

Late acknowledgement (CELERY_TASK_ACKS_LATE, reject on worker lost, prefetch 1) leaves the message in
kombu's "unacked" index while the job runs; a worker that dies never acknowledges it, and a worker that
starts after the visibility timeout puts it back on its queue. Each drill holds the job at a known point
(a row lock the job needs, an SMTP server that has the message but has not answered, a Cal.com that has the
cancellation but has not answered), kills the worker there, and lets a second worker run the job again.
"""

from datetime import UTC, timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from appointments.services import appointment_push_cancel_to_calcom
from appointments.tasks import appointment_push_cancel
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.tasks import auto_assign
from notifications import services as notification_services
from notifications.models import EventType, NotificationDelivery
from notifications.tasks import send_delivery
from org.models import Staff
from tests.conftest import database_url
from tests.drills.worker_kill_helpers import (
    DrillBroker,
    DrillWorker,
    HoldingSmtpServer,
    backends_blocked_by,
    calcom_client_environment,
    wait_until,
)
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.org import BranchFactory, CustomerFactory, StaffFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(companies):
    return companies["acme"]


@pytest.fixture
def broker():
    corner = DrillBroker()
    yield corner
    corner.forget()


@pytest.fixture
def start_worker(broker):
    started: list[DrillWorker] = []

    def start(name: str, **env: str) -> DrillWorker:
        worker = DrillWorker(broker, name, env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def redeliver(broker: DrillBroker, start_worker, **env: str) -> DrillWorker:
    """Once the killed worker's job is past the visibility timeout, start the worker that redoes it."""
    broker.wait_until_redeliverable()
    return start_worker("second", **env)


def wait_until_acknowledged(broker: DrillBroker, worker: DrillWorker) -> None:
    """The redelivered job ran to the end: the worker logged it succeeded, then nothing is left unacknowledged
    or on the queue. (Queue and unacked index alone are both empty for a moment while a worker takes the
    message: Redis pops it from the queue before kombu records it as unacknowledged.)"""
    import redis

    client = redis.Redis.from_url(broker.redis_url)
    try:
        wait_until(
            lambda: (
                "succeeded" in worker.log_text()
                and not broker.unacked_since()
                and client.llen(f"{broker.prefix}{broker.queue}") == 0
            ),
            "the redelivered job succeeded and is acknowledged",
            worker=worker,
        )
    finally:
        client.close()


# --- 1. auto-assignment ------------------------------------------------------------------------------


def test_an_assignment_killed_while_it_waits_for_the_staff_lock_assigns_once(acme, broker, start_worker):
    with tenant_context(acme):
        branch = BranchFactory(name="Mitte", hours=[])  # always staffed: the worker runs on the real clock
        anna = StaffFactory(name="Anna", branches=[branch])
        callback = CallbackRequestFactory(branch=branch)
        staff_table = f'"{acme.schema_name}"."{Staff._meta.db_table}"'
    # The test holds Anna's row: the job locks the callback, then waits for her row (callbacks.assignment).
    holder = psycopg.connect(database_url(connection.settings_dict))
    holder.execute(f"SELECT 1 FROM {staff_table} WHERE id = %s FOR UPDATE", [anna.pk])
    first = start_worker("first")
    with tenant_context(acme):
        broker.send(auto_assign, callback.pk)
    wait_until(lambda: backends_blocked_by(holder.info.backend_pid), "the job waits for Anna", worker=first)

    first.kill()
    holder.rollback()
    holder.close()
    second = redeliver(broker, start_worker)
    wait_until_acknowledged(broker, second)

    with tenant_context(acme):
        callback.refresh_from_db()
        assert (callback.status, callback.assigned_to) == (CallbackRequest.Status.ASSIGNED, anna)
        kinds = CallbackEvent.objects.filter(callback=callback).values_list("kind", flat=True)
        assert list(kinds).count(CallbackEvent.Kind.ASSIGNED) == 1
        told = NotificationDelivery.objects.filter(callback=callback, event_type__key="callback.assigned")
        channels = sorted(told.values_list("channel", flat=True))
        assert channels and channels == sorted(set(channels))  # Anna hears once on each channel
        assert set(told.values_list("staff", flat=True)) == {anna.pk}


# --- 2. a notification send --------------------------------------------------------------------------


@pytest.fixture
def smtp():
    server = HoldingSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def due_email(acme):
    with tenant_context(acme):
        erika = CustomerFactory(name="Erika Muster", email="erika@example.test")
        return NotificationDelivery.objects.create(
            event_type=EventType.objects.get(key="appointment.created"),
            channel="email",
            recipient_kind="customer",
            customer=erika,
            address="erika@example.test",
            subject="Ihr Termin ist bestätigt",
            body="Bis Mittwoch!",
            not_before=timezone.now() - timedelta(seconds=1),
            is_urgent=True,
        )


def test_an_email_the_server_has_when_the_worker_dies_is_not_sent_again(
    acme, broker, start_worker, smtp, due_email
):
    env = {"DRILL_SMTP_PORT": str(smtp.port)}
    first = start_worker("first", **env)
    with tenant_context(acme):
        broker.send(send_delivery, due_email.pk)
    wait_until(smtp.arrived.is_set, "the SMTP server has the message", worker=first)

    first.kill()  # the server has the mail; the worker never heard its 250
    smtp.release.set()
    second = redeliver(broker, start_worker, **env)
    wait_until_acknowledged(broker, second)

    assert "succeeded" in second.log_text() and "'not claimed'" in second.log_text()
    assert [str(mail["To"]) for mail in smtp.received] == ["erika@example.test"]
    with tenant_context(acme):
        due_email.refresh_from_db()
        # At most once: the redelivered job found the row claimed and left it; the outcome is unknown.
        assert (due_email.status, due_email.attempts) == (NotificationDelivery.Status.SENDING, 1)


def test_an_email_interrupted_mid_send_is_failed_by_the_sweep_and_never_resent(acme, time_machine, due_email):
    """What happens to the drill's row next: the sweep says the outcome is unknown and sends nothing."""
    with tenant_context(acme):
        NotificationDelivery.objects.filter(pk=due_email.pk).update(
            status=NotificationDelivery.Status.SENDING, claimed_at=timezone.now(), attempts=1
        )
        time_machine.move_to(timezone.now() + timedelta(hours=2))
        assert notification_services.deliveries_fail_stuck() == 1
        assert notification_services.deliveries_dispatch_due() == 0
        assert notification_services.delivery_send(delivery_id=due_email.pk) is None
        due_email.refresh_from_db()
    assert due_email.status == NotificationDelivery.Status.FAILED
    assert due_email.reason == str(notification_services.STUCK_IN_SENDING)


# --- 3. a Cal.com push -------------------------------------------------------------------------------


@pytest.fixture
def calcom(acme):
    server = CalcomStandIn().start()
    acme.calcom_api_key = "cal_test_drill_worker_killed"
    acme.save()
    yield server
    server.stop()


def booked_in_calcom(calcom: CalcomStandIn, acme) -> Appointment:
    """An appointment we cancelled while Cal.com was away: cancelled here, still booked there."""
    with tenant_context(acme):
        appointment = AppointmentFactory(branch=BranchFactory(name="Mitte"))
        start = appointment.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        booking = calcom.book({"start": start, "eventTypeId": 4242, "attendee": {"name": "Jonas"}}).body
        appointment.calcom_booking_uid = booking["data"]["uid"]
        appointment.status = Appointment.Status.CANCELLED
        appointment.sync_state = Appointment.SyncState.PENDING
        appointment.save()
    return appointment


def hold_cancellations(calcom: CalcomStandIn):
    """Cal.com cancels the booking, then keeps the answer until released."""
    import threading

    arrived, release = threading.Event(), threading.Event()
    cancel = calcom.cancel

    def held(uid: str, body: dict | None = None):
        answer = cancel(uid, body)
        arrived.set()
        release.wait(timeout=30)
        return answer

    calcom.cancel = held
    return arrived, release


def test_a_calcom_push_killed_after_calcom_cancelled_ends_synced_once(acme, broker, start_worker, calcom):
    appointment = booked_in_calcom(calcom, acme)
    arrived, release = hold_cancellations(calcom)
    env = calcom_client_environment(calcom.url)
    first = start_worker("first", **env)
    with tenant_context(acme):
        broker.send(appointment_push_cancel, appointment.pk)
    wait_until(arrived.is_set, "Cal.com has the cancellation", worker=first)

    first.kill()  # Cal.com cancelled the booking; we never heard so
    release.set()
    second = redeliver(broker, start_worker, **env)
    wait_until_acknowledged(broker, second)

    cancels = calcom.requests_to(f"/v2/bookings/{appointment.calcom_booking_uid}/cancel")
    assert len(cancels) == 2  # the second is answered "already cancelled", which is what we wanted
    assert calcom.booked[appointment.calcom_booking_uid]["status"] == "cancelled"
    with tenant_context(acme):
        appointment.refresh_from_db()
        assert appointment.sync_state == Appointment.SyncState.SYNCED
        assert not CallbackRequest.objects.filter(metadata__kind="unsynced_cancel").exists()


def test_a_booking_calcom_already_cancelled_counts_as_pushed(acme, calcom, settings):
    """The service half of the drill, in-process: Cal.com's 400 "already cancelled" is a success."""
    appointment = booked_in_calcom(calcom, acme)
    calcom.booked[appointment.calcom_booking_uid]["status"] = "cancelled"
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "CALCOM_CLIENT": {"base_url": calcom.url, "attempts": 1}}
    with tenant_context(acme):
        assert appointment_push_cancel_to_calcom(appointment=appointment, final_attempt=False)
        appointment.refresh_from_db()
    assert appointment.sync_state == Appointment.SyncState.SYNCED
