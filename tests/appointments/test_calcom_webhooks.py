"""Cal.com webhooks: verified, stored first, answered at once, applied idempotently, echoes recognised."""

import json
import logging
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from appointments.models import Appointment, UnmappedBooking
from appointments.services import appointment_book, appointment_cancel
from common.webhook_body import NOT_AN_OBJECT
from integrations.calcom.services import OWN_BOOKING, OWN_CHANGE, OwnBookingNotSavedYet, calcom_event_process
from integrations.calcom.signature import calcom_signature
from integrations.models import WebhookEvent
from org.models import Customer
from policies.models import AppointmentModification
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at

SECRET = "whsec-acme-calcom"
URL = "/webhooks/calcom/acme"


@pytest.fixture
def calcom_secret(company):
    company.calcom_webhook_secret = SECRET
    company.save()
    return SECRET


@pytest.fixture
def cal(company, calcom_secret):
    """Cal.com's side of the wire: posts signed bodies to the exact URL (then the test is back in Acme)."""
    client = Client(HTTP_HOST="localhost")

    def post(body: dict, *, secret: str = SECRET, signature: str | None = None, url: str = URL):
        raw = json.dumps(body).encode()
        sig = signature if signature is not None else calcom_signature(raw, secret)
        response = client.post(url, raw, content_type="application/json", HTTP_X_CAL_SIGNATURE_256=sig)
        connection.set_tenant(company)
        return response

    return post


def booking_payload(trigger: str, uid: str, start=None, **extra) -> dict:
    start = start or next_weekday_at(0, 10)
    payload = {
        "uid": uid,
        "bookingId": 9123456,
        "eventTypeId": EVENT_TYPE,
        "type": "haarschnitt",
        "startTime": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": (start + timedelta(minutes=30)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "CANCELLED" if trigger == "BOOKING_CANCELLED" else "ACCEPTED",
        "attendees": [
            {
                "email": "jonas@example.test",
                "name": "Jonas Weber",
                "timeZone": "Europe/Berlin",
                "phoneNumber": "+4915112345678",
                "language": {"locale": "de"},
            }
        ],
        "metadata": {"videoCallUrl": "https://app.cal.com/video/x"},
        **extra,
    }
    return {"triggerEvent": trigger, "createdAt": "2026-11-21T08:12:45.311Z", "payload": payload}


@pytest.fixture
def deliver(cal, company, django_capture_on_commit_callbacks):
    """Post, then run what the request queued on commit (eager tasks, in the schema pinned when queued).

    The same task under a real worker is exercised in test_calcom_webhook_worker.py.
    """

    def send(body: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = cal(body)
        connection.set_tenant(company)
        return response

    return send


def test_a_signed_booking_is_stored_acknowledged_and_becomes_an_appointment(deliver, calcom, haircut, jonas):
    response = deliver(booking_payload("BOOKING_CREATED", "uid-A"))

    assert response.status_code == 200
    assert response.json()["status"] == "received"
    stored = WebhookEvent.objects.get()
    assert (stored.source, stored.event, stored.external_id) == ("calcom", "BOOKING_CREATED", "uid-A")
    assert stored.status == WebhookEvent.Status.PROCESSED
    appointment = Appointment.objects.get()
    assert appointment.customer == jonas, "matched by phone"
    assert (appointment.service, appointment.source) == (haircut, Appointment.Source.CALCOM)
    assert appointment.calcom_booking_uid == "uid-A"
    assert appointment.starts_at == next_weekday_at(0, 10)
    assert appointment.status == Appointment.Status.CONFIRMED


def test_an_unknown_booker_becomes_a_new_customer(deliver, calcom, haircut):
    body = booking_payload("BOOKING_CREATED", "uid-A")
    body["payload"]["attendees"][0].update(
        email="lena@example.test", phoneNumber="+4917099887766", name="Lena"
    )

    deliver(body)

    customer = Appointment.objects.get().customer
    assert (customer.name, customer.email, str(customer.phone)) == (
        "Lena",
        "lena@example.test",
        "+4917099887766",
    )


def test_a_second_delivery_changes_nothing(deliver, calcom, haircut, jonas):
    deliver(booking_payload("BOOKING_CREATED", "uid-A"))
    response = deliver(booking_payload("BOOKING_CREATED", "uid-A"))

    assert response.json()["status"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    ["0" * 64, "no-secret-provided", ""],
    ids=["tampered", "no-secret-provided", "missing"],
)
def test_a_badly_signed_delivery_is_refused_and_not_stored(cal, calcom, signature):
    response = cal(booking_payload("BOOKING_CREATED", "uid-A"), signature=signature)

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(cal, calcom):
    response = cal(booking_payload("BOOKING_CREATED", "uid-A"), secret="someone-elses-secret")

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_company_without_a_webhook_secret_accepts_nothing(cal, company, calcom):
    company.calcom_webhook_secret = ""
    company.save()

    response = cal(booking_payload("BOOKING_CREATED", "uid-A"), secret="")

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_an_unknown_company_is_answered_like_a_bad_signature(cal, calcom):
    response = cal(booking_payload("BOOKING_CREATED", "uid-A"), url="/webhooks/calcom/nobody")
    assert response.status_code == 401


def test_the_exact_url_answers_without_a_redirect(cal, calcom, haircut):
    response = cal(booking_payload("BOOKING_CREATED", "uid-A"))

    assert response.status_code == 200, "Cal.com does not follow redirects"


def test_a_booking_for_an_event_type_of_no_service_waits_for_a_mapping_and_is_logged(
    deliver, calcom, haircut, caplog
):
    body = booking_payload("BOOKING_CREATED", "uid-A")
    body["payload"]["eventTypeId"] = 999

    with caplog.at_level(logging.WARNING, logger="integrations.calcom.services"):
        response = deliver(body)

    assert response.status_code == 200, "stored first: nothing Cal.com sent is lost"
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.FAILED
    assert "999" in stored.error
    assert "999" in caplog.text
    assert not Appointment.objects.exists()
    assert UnmappedBooking.objects.get().status == UnmappedBooking.Status.NEEDS_MAPPING


def test_a_cancellation_in_calcom_cancels_here_and_is_recorded_as_the_customers(
    deliver, calcom, haircut, jonas
):
    deliver(booking_payload("BOOKING_CREATED", "uid-A"))

    deliver(booking_payload("BOOKING_CANCELLED", "uid-A", cancellationReason="Krank"))

    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CANCELLED
    change = AppointmentModification.objects.get()
    assert (change.modification_type, change.actor_type, change.reason) == ("cancel", "customer", "Krank")


def test_a_reschedule_chain_in_calcom_keeps_every_uid(deliver, calcom, haircut, jonas):
    deliver(booking_payload("BOOKING_CREATED", "uid-A"))
    deliver(
        booking_payload("BOOKING_RESCHEDULED", "uid-B", start=next_weekday_at(1, 11), rescheduleUid="uid-A")
    )
    deliver(
        booking_payload("BOOKING_RESCHEDULED", "uid-C", start=next_weekday_at(2, 15), rescheduleUid="uid-B")
    )
    deliver(
        booking_payload("BOOKING_RESCHEDULED", "uid-C", start=next_weekday_at(2, 15), rescheduleUid="uid-B")
    )

    appointment = Appointment.objects.get()
    assert appointment.calcom_booking_uid == "uid-C"
    assert appointment.previous_booking_uids == ["uid-A", "uid-B"]
    assert appointment.starts_at == next_weekday_at(2, 15)
    assert AppointmentModification.objects.filter(modification_type="reschedule").count() == 2


def test_our_own_booking_echoed_back_is_recognised(deliver, calcom, haircut, jonas, mitte):
    ours = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    body = booking_payload("BOOKING_CREATED", ours.calcom_booking_uid)
    body["payload"]["metadata"]["switchboard_ref"] = str(ours.reference)

    deliver(body)

    assert WebhookEvent.objects.get().error == OWN_BOOKING
    assert Appointment.objects.count() == 1


def test_our_own_booking_echoed_before_we_saved_it_is_retried_not_duplicated(cal, calcom, haircut):
    body = booking_payload("BOOKING_CREATED", "uid-not-yet-saved")
    body["payload"]["metadata"]["switchboard_ref"] = "0b6c1f2e-9f0e-4a4b-8a53-3c1d2e4f5a6b"
    cal(body)
    stored = WebhookEvent.objects.get()

    with pytest.raises(OwnBookingNotSavedYet):
        calcom_event_process(event_id=stored.pk)

    stored.refresh_from_db()
    assert stored.status == WebhookEvent.Status.RECEIVED
    assert not Appointment.objects.exists()


def test_our_own_cancellation_echoed_back_is_not_recorded_twice(deliver, calcom, haircut, jonas, mitte, anna):
    ours = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    appointment_cancel(appointment=ours, by=anna)

    deliver(booking_payload("BOOKING_CANCELLED", ours.calcom_booking_uid))

    assert WebhookEvent.objects.get().error == OWN_CHANGE
    assert AppointmentModification.objects.count() == 1


def test_other_triggers_are_stored_and_ignored(deliver, calcom):
    deliver({"triggerEvent": "MEETING_ENDED", "uid": "uid-A", "title": "x"})

    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.IGNORED
    assert not Customer.objects.exists()


def test_a_delivery_for_acme_never_reaches_globex(cal, deliver, calcom, haircut, other_company, company):
    """Eve's company (Globex) has its own secret: Acme's signature does not open Globex's door."""
    connection.set_schema_to_public()
    other_company.calcom_webhook_secret = "whsec-globex"
    other_company.save()

    refused = cal(booking_payload("BOOKING_CREATED", "uid-A"), url="/webhooks/calcom/globex")
    deliver(booking_payload("BOOKING_CREATED", "uid-A"))

    assert refused.status_code == 401
    with tenant_context(other_company):
        assert not WebhookEvent.objects.exists()
        assert not Appointment.objects.exists()
    connection.set_tenant(company)
    assert Appointment.objects.count() == 1


def test_a_booking_made_in_calcom_drops_the_cached_slots_of_its_event_type(deliver, calcom, haircut, mitte):
    from appointments.selectors import SlotQuery, availability_search

    monday = next_weekday_at(0, 0).date()
    availability_search(SlotQuery(haircut, mitte), first_day=monday, last_day=monday)
    availability_search(SlotQuery(haircut, mitte), first_day=monday, last_day=monday)
    assert len(calcom.requests_to("/v2/slots")) == 1, "the second search came from the cache"

    deliver(booking_payload("BOOKING_CREATED", "uid-A"))
    availability_search(SlotQuery(haircut, mitte), first_day=monday, last_day=monday)

    assert len(calcom.requests_to("/v2/slots")) == 2


def test_a_body_that_is_no_json_object_is_refused_with_a_clear_error(company, calcom_secret):
    raw = b"[1, 2, 3]"
    response = Client(HTTP_HOST="localhost").post(
        URL, raw, content_type="application/json", HTTP_X_CAL_SIGNATURE_256=calcom_signature(raw, SECRET)
    )

    assert response.status_code == 400
    assert response.json() == {"error": NOT_AN_OBJECT, "field": ""}


def test_an_oversized_body_is_refused_before_anything_else(cal, calcom, settings):
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "WEBHOOK_MAX_BODY_BYTES": 100}

    response = cal(booking_payload("BOOKING_CREATED", "uid-A"))

    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()
