"""Cal.com booking events give the same final appointment in every arrival order (issue 17, item 2).

Each event is posted as Cal.com posts it (signed, over HTTP to the webhook endpoint), stored, and processed
by what the request queued; every order runs in its own savepoint, rolled back afterwards.

Orders that differ only by swapping a delivery with its identical retry are the same byte sequence, so each
distinct order is run once (5 events with one retry: 5!/2 = 60 orders).
"""

import json
from datetime import UTC, timedelta
from itertools import permutations

import pytest
from django.db import connection, transaction
from django.test import Client

from appointments.models import Appointment
from integrations.calcom.signature import calcom_signature
from integrations.models import WebhookEvent
from org.models import Customer
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.factories.appointments import AppointmentFactory
from tests.factories.org import CustomerFactory

SECRET = "whsec-acme-order"
URL = "/webhooks/calcom/acme"
BOOKER = {
    "email": "lena.order@example.test",
    "name": "Lena Ordnung",
    "timeZone": "Europe/Berlin",
    "phoneNumber": "+4917011122233",
    "language": {"locale": "de"},
}


def event(trigger: str, uid: str, start, *, moved_from: str = "", reference: str = "") -> dict:
    """A booking webhook in Cal.com's shape (calcom.md §2.2): a reschedule has the new uid and
    `rescheduleUid`, a cancellation status CANCELLED and no metadata."""
    payload = {
        "uid": uid,
        "eventTypeId": EVENT_TYPE,
        "startTime": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": (start + timedelta(minutes=30)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "CANCELLED" if trigger == "BOOKING_CANCELLED" else "ACCEPTED",
        "attendees": [BOOKER],
    }
    if moved_from:
        payload |= {"rescheduleUid": moved_from, "rescheduledBy": BOOKER["email"]}
    if trigger != "BOOKING_CANCELLED":
        payload["metadata"] = {"switchboard_ref": reference} if reference else {}
    return {"triggerEvent": trigger, "createdAt": "2026-11-21T08:12:45.311Z", "payload": payload}


@pytest.fixture
def post_signed(company, calcom, haircut, django_capture_on_commit_callbacks):
    """Cal.com's side of the wire; what the request queued on commit runs at once (eager)."""
    company.calcom_webhook_secret = SECRET
    company.save()
    client = Client(HTTP_HOST="localhost")

    def post(body: dict) -> None:
        raw = json.dumps(body).encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL,
                raw,
                content_type="application/json",
                HTTP_X_CAL_SIGNATURE_256=calcom_signature(raw, SECRET),
            )
        connection.set_tenant(company)
        assert response.status_code == 200, response.content

    return post


def final_state_of(orders, post_signed) -> dict[tuple[str, ...], tuple]:
    """Every order's end state: (uid, start, status, branch, customer, live count, appointment count)."""
    results = {}
    for order in orders:
        with transaction.atomic():
            for _label, body in order:
                post_signed(body)
            assert not WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED).exists()
            booking = Appointment.objects.get(calcom_booking_uid="uid-C")
            customer = booking.customer
            results[tuple(label for label, _ in order)] = (
                booking.calcom_booking_uid,
                booking.previous_booking_uids,
                booking.starts_at,
                booking.status,
                booking.branch.name,
                (customer.name, customer.email, str(customer.phone)),
                Customer.objects.filter(email=BOOKER["email"]).count(),
                Appointment.objects.active().count(),
                Appointment.objects.count(),
                booking.reference,
            )
            transaction.set_rollback(True)
    return results


def distinct_orders(events: list[tuple[str, dict]]) -> list[tuple[tuple[str, dict], ...]]:
    seen: dict[tuple[str, ...], tuple[tuple[str, dict], ...]] = {}
    for order in permutations(events):
        seen.setdefault(tuple(json.dumps(body, sort_keys=True) for _, body in order), order)
    return list(seen.values())


def test_a_booking_moved_twice_then_cancelled_in_calcom_ends_cancelled_in_every_order(post_signed):
    first, second, third = next_weekday_at(0, 10), next_weekday_at(1, 11), next_weekday_at(2, 12)
    moved_once = event("BOOKING_RESCHEDULED", "uid-B", second, moved_from="uid-A")
    in_order = [
        ("created A", event("BOOKING_CREATED", "uid-A", first)),
        ("moved A→B", moved_once),
        ("moved B→C", event("BOOKING_RESCHEDULED", "uid-C", third, moved_from="uid-B")),
        ("cancelled C", event("BOOKING_CANCELLED", "uid-C", third)),
        ("retry of A→B", moved_once),
    ]
    orders = distinct_orders(in_order)
    assert len(orders) == 60

    expected = final_state_of([tuple(in_order)], post_signed)[tuple(label for label, _ in in_order)]
    results = final_state_of(orders, post_signed)

    uid, previous, start, status, branch, customer, customers, live, count, _ref = expected
    assert (uid, previous, start, status, branch) == (
        "uid-C",
        ["uid-A", "uid-B"],
        third,
        "cancelled",
        "Mitte",
    )
    assert (customer, customers, live, count) == (
        ("Lena Ordnung", BOOKER["email"], "+4917011122233"),
        1,
        0,
        1,
    )
    differing = {order: result[:-1] for order, result in results.items() if result[:-1] != expected[:-1]}
    assert differing == {}


def test_our_own_booking_moved_twice_in_calcom_stays_ours_and_live_in_every_order(
    post_signed, haircut, mitte
):
    first, second, third = next_weekday_at(0, 10), next_weekday_at(1, 11), next_weekday_at(2, 12)
    booker = CustomerFactory(name=BOOKER["name"], email=BOOKER["email"], phone=BOOKER["phoneNumber"])
    ours = AppointmentFactory(
        customer=booker,
        service=haircut,
        branch=mitte,
        starts_at=first,
        source=Appointment.Source.PHONE_AGENT,
        calcom_booking_uid="uid-A",
    )
    moved_twice = event("BOOKING_RESCHEDULED", "uid-C", third, moved_from="uid-B")
    in_order = [
        ("echo of our booking A", event("BOOKING_CREATED", "uid-A", first, reference=str(ours.reference))),
        ("moved A→B", event("BOOKING_RESCHEDULED", "uid-B", second, moved_from="uid-A")),
        ("moved B→C", moved_twice),
        ("retry of B→C", moved_twice),
    ]
    orders = distinct_orders(in_order)
    assert len(orders) == 12

    results = final_state_of(orders, post_signed)

    expected = results[tuple(label for label, _ in in_order)]
    assert expected[:4] == ("uid-C", ["uid-A", "uid-B"], third, "confirmed")
    assert expected[7:] == (1, 1, ours.reference), "exactly one live appointment: ours"
    assert {order: result for order, result in results.items() if result != expected} == {}
