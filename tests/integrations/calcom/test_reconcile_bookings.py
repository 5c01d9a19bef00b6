"""Reconciliation with Cal.com's own list of bookings: a booking made, cancelled or moved in Cal.com whose
webhook never came is applied here through the webhook path's own functions; a second run, or the webhook
arriving late, changes nothing.

Acme's calendar is the Cal.com stand-in of the appointment tests (Mitte's haircut is event type 4242).
"""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict
from prometheus_client import REGISTRY

from appointments.models import Appointment, UnmappedBooking
from appointments.services import event_type_map
from callbacks.models import CallbackRequest
from integrations.calcom.reconcile import calcom_reconcile
from integrations.calcom.services import calcom_event_store
from org.models import Service
from tests.appointments import conftest as acme_calendar
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.appointments.test_calcom_webhooks import booking_payload
from tests.factories.org import BranchFactory

calcom, haircut, jonas = acme_calendar.calcom, acme_calendar.haircut, acme_calendar.jonas
_cold_policy_cache = acme_calendar._cold_policy_cache


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def made_in_calcom(calcom, start: datetime, *, status: str = "accepted", **extra) -> str:
    """A booking Jonas made on Cal.com's booking page (BookingOutput_2024_08_13); returns its uid."""
    uid = uuid.uuid4().hex[:22]
    calcom.booked[uid] = {
        "id": 7000 + len(calcom.booked),
        "uid": uid,
        "title": "Haarschnitt between Acme and Jonas Weber",
        "description": "",
        "hosts": [
            {"id": 1, "name": "Acme", "email": "a@b.c", "username": "acme", "timeZone": "Europe/Berlin"}
        ],
        "status": status,
        "start": z(start),
        "end": z(start + timedelta(minutes=30)),
        "duration": 30,
        "eventTypeId": EVENT_TYPE,
        "eventType": {"id": EVENT_TYPE, "slug": "haarschnitt"},
        "location": "",
        "absentHost": False,
        "createdAt": "2026-03-01T08:00:00.000Z",
        "updatedAt": "2026-03-01T08:00:00.000Z",
        "attendees": [
            {
                "name": "Jonas Weber",
                "email": "jonas@example.test",
                "timeZone": "Europe/Berlin",
                "language": "de",
                "absent": False,
                "phoneNumber": "+4915112345678",
            }
        ],
        "bookingFieldsResponses": {
            "name": "Jonas Weber",
            "email": "jonas@example.test",
            "notes": "Kurz bitte",
        },
        "metadata": {},
        **extra,
    }
    return uid


@pytest.fixture
def reconcile(django_capture_on_commit_callbacks):
    """One run of the company's reconciliation, with what it queues run after the commit."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return calcom_reconcile()

    return run


def snapshot() -> list[dict]:
    return [model_to_dict(row) for row in Appointment.objects.order_by("pk")]


def repairs() -> float:
    return REGISTRY.get_sample_value("reconciliation_repairs_total", {"source": "calcom"}) or 0.0


def test_a_booking_whose_webhook_never_came_is_created_on_the_mapped_branch_and_service(
    calcom, haircut, mitte, jonas, clock, reconcile
):
    start = next_weekday_at(0, 10)
    uid = made_in_calcom(calcom, start)
    before = repairs()

    assert reconcile() == 1

    appointment = Appointment.objects.get(calcom_booking_uid=uid)
    assert (appointment.service, appointment.branch, appointment.customer) == (haircut, mitte, jonas)
    assert (appointment.starts_at, appointment.ends_at) == (start, start + timedelta(minutes=30))
    assert (appointment.status, appointment.source) == (
        Appointment.Status.CONFIRMED,
        Appointment.Source.CALCOM,
    )
    assert appointment.notes == "Kurz bitte"
    assert repairs() == before + 1
    [listing] = calcom.requests_to("/v2/bookings")
    assert listing.query["eventTypeIds"] == str(EVENT_TYPE)
    assert listing.headers["cal-api-version"] == "2024-08-13"


def test_a_booking_cancelled_in_calcom_is_cancelled_here(calcom, haircut, jonas, clock, reconcile):
    uid = made_in_calcom(calcom, next_weekday_at(1, 11))
    reconcile()
    calcom.booked[uid].update(
        status="cancelled", cancellationReason="Krank", cancelledByEmail="jonas@example.test"
    )

    assert reconcile() == 1

    appointment = Appointment.objects.get(calcom_booking_uid=uid)
    assert (appointment.status, appointment.sync_state) == (
        Appointment.Status.CANCELLED,
        Appointment.SyncState.SYNCED,
    )


def test_a_booking_moved_in_calcom_is_moved_here(calcom, haircut, jonas, clock, reconcile):
    uid = made_in_calcom(calcom, next_weekday_at(2, 10))
    reconcile()
    [appointment] = Appointment.objects.all()
    later = next_weekday_at(3, 15)
    new_uid = calcom.reschedule(uid, {"start": z(later)}).body["data"]["uid"]

    assert reconcile() == 1

    [moved] = Appointment.objects.all()
    assert (moved.pk, moved.calcom_booking_uid, moved.starts_at) == (appointment.pk, new_uid, later)
    assert moved.is_active


def test_a_move_beyond_the_window_is_followed_not_taken_for_a_cancellation(
    calcom, haircut, jonas, clock, reconcile
):
    uid = made_in_calcom(calcom, next_weekday_at(2, 10))
    reconcile()
    far = next_weekday_at(2, 10, weeks=8)
    new_uid = calcom.reschedule(uid, {"start": z(far)}).body["data"]["uid"]

    assert reconcile() == 1

    [moved] = Appointment.objects.all()
    assert (moved.calcom_booking_uid, moved.starts_at, moved.is_active) == (new_uid, far, True)
    assert calcom.requests_to("/v2/bookings")[-1].query["bookingUid"] == new_uid


def test_a_pending_booking_accepted_in_calcom_is_confirmed(calcom, haircut, jonas, clock, reconcile):
    uid = made_in_calcom(calcom, next_weekday_at(0, 9), status="pending")
    reconcile()
    assert Appointment.objects.get().status == Appointment.Status.SCHEDULED
    calcom.booked[uid]["status"] = "accepted"

    assert reconcile() == 1
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED


def test_repeated_runs_change_nothing(calcom, haircut, jonas, clock, reconcile):
    kept = made_in_calcom(calcom, next_weekday_at(0, 10))
    cancelled = made_in_calcom(calcom, next_weekday_at(0, 11))
    moved = made_in_calcom(calcom, next_weekday_at(0, 12))
    reconcile()
    calcom.booked[cancelled]["status"] = "cancelled"
    calcom.reschedule(moved, {"start": z(next_weekday_at(0, 15))})
    assert reconcile() == 2
    rows = snapshot()

    assert [reconcile(), reconcile()] == [0, 0]
    assert snapshot() == rows
    assert Appointment.objects.get(calcom_booking_uid=kept).is_active


def test_a_late_webhook_after_reconciliation_changes_nothing(
    calcom, haircut, jonas, clock, reconcile, django_capture_on_commit_callbacks
):
    start = next_weekday_at(1, 10)
    uid = made_in_calcom(calcom, start)
    reconcile()
    calcom.booked[uid]["status"] = "cancelled"
    reconcile()
    rows = snapshot()

    for trigger in ("BOOKING_CREATED", "BOOKING_CANCELLED"):
        body = booking_payload(trigger, uid, start)
        with django_capture_on_commit_callbacks(execute=True):
            calcom_event_store(body=body, raw_body=json.dumps(body).encode(), headers={})

    assert snapshot() == rows


def test_our_own_change_not_yet_in_calcom_is_neither_revived_nor_moved_back(
    calcom, haircut, jonas, clock, reconcile
):
    uid = made_in_calcom(calcom, next_weekday_at(1, 14))
    reconcile()
    Appointment.objects.filter(calcom_booking_uid=uid).update(
        status=Appointment.Status.CANCELLED, sync_state=Appointment.SyncState.PENDING
    )  # cancelled here; the push to Cal.com has not happened yet

    assert reconcile() == 0
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_our_own_booking_that_was_undone_here_is_not_taken_from_calcom(
    calcom, haircut, jonas, clock, reconcile
):
    made_in_calcom(calcom, next_weekday_at(1, 9), metadata={"switchboard_ref": str(uuid.uuid4())})

    assert reconcile() == 0
    assert not Appointment.objects.exists()


def test_bookings_beyond_four_weeks_are_not_asked_for(calcom, haircut, jonas, clock, reconcile):
    made_in_calcom(calcom, next_weekday_at(0, 10, weeks=6))

    assert reconcile() == 0
    [listing] = calcom.requests_to("/v2/bookings")
    assert (listing.query["afterStart"], listing.query["beforeEnd"]) == (
        "2026-03-04T09:00:00Z",
        "2026-04-01T09:00:00Z",
    )


def test_a_company_without_a_key_or_a_mapped_event_type_is_skipped_quietly(company, calcom, clock, reconcile):
    assert reconcile() == 0  # no event type mapped
    assert calcom.requests_to("/v2/bookings") == []


def test_the_booking_list_request_matches_calcoms_contract(contract_client):
    """Prism serves Cal.com's own OpenAPI document and answers a request breaking it with 422."""
    start = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)

    listed = contract_client.list_bookings(
        event_type_ids=[4242, 4343], after_start=start, before_end=start + timedelta(weeks=4)
    )

    assert listed and all(booking["uid"] for booking in listed)


def test_a_listed_booking_lands_on_its_event_types_branch_and_an_unplaceable_one_waits(
    calcom, haircut, jonas, reconcile
):
    charlottenburg = BranchFactory(name="Charlottenburg")
    haircut.branches.add(charlottenburg)
    event_type_map(branch=charlottenburg, service=haircut, event_type_id=5151)
    shared = Service.objects.create(name="Färben", calcom_event_type_id=6262)
    shared.branches.add(haircut.branches.get(name="Mitte"), charlottenburg)
    at_charlottenburg = made_in_calcom(calcom, next_weekday_at(1, 10), eventTypeId=5151)
    shared_uid = made_in_calcom(calcom, next_weekday_at(1, 11), eventTypeId=6262)

    assert reconcile() == 2
    assert reconcile() == 0, "the waiting booking and its callback are made once"

    assert Appointment.objects.get(calcom_booking_uid=at_charlottenburg).branch == charlottenburg
    assert not Appointment.objects.filter(calcom_booking_uid=shared_uid).exists(), (
        "two branches: never guessed"
    )
    assert UnmappedBooking.objects.get().calcom_booking_uid == shared_uid
    assert CallbackRequest.objects.get().metadata["calcom_booking_uid"] == shared_uid
