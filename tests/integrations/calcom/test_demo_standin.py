"""The Cal.com stand-in `make run` serves (integrations.calcom.standin): its answers have the shapes of
Cal.com's own OpenAPI document, and like Cal.com it sends signed webhooks, so a booking made through our
client, then moved and cancelled, reaches our appointments through /webhooks/calcom/<slug>."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django_tenants.utils import tenant_context
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from appointments.models import Appointment
from integrations.calcom.client import CalcomClient
from integrations.calcom.standin import CalcomStandIn
from integrations.calcom.standin_shapes import StandInAccount
from integrations.calcom.types import Attendee
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.org import BranchFactory, ServiceFactory
from tests.integrations.calcom.conftest import FAST, REPO_ROOT

SPEC = REPO_ROOT / "integrations" / "calcom" / "openapi" / "calcom-openapi-v2.json"
EVENT_TYPE = 9101
KEY = "cal_demo_acme"
SECRET = "demo-webhook-secret-acme"
MONDAY = datetime(2030, 3, 4, tzinfo=UTC)  # a Monday far ahead: every slot of the week is in the future


def _nullable_as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` is no JSON Schema keyword: say "null, or the schema" instead."""
    if isinstance(node, list):
        return [_nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _nullable_as_json_schema(value) for key, value in node.items() if key != "nullable"}
    return {"anyOf": [{"type": "null"}, converted]} if node.get("nullable") else converted


@pytest.fixture(scope="module")
def conforms():
    """`conforms(body, "SchemaName")` raises unless `body` is valid under the document's schema."""
    document = _nullable_as_json_schema(json.loads(SPEC.read_text()))
    registry = Registry().with_resource("urn:calcom", Resource.from_contents(document, DRAFT7))

    def check(body: Any, schema: str) -> None:
        ref = {"$ref": f"urn:calcom#/components/schemas/{schema}"}
        errors = [error.message for error in Draft7Validator(ref, registry=registry).iter_errors(body)]
        assert not errors, f"{schema}: {errors[:5]}"

    return check


@pytest.fixture
def calendar() -> Iterator[CalcomStandIn]:
    account = StandInAccount(api_key=KEY, username="acme", user_id=7, name="Acme")
    event_types = [
        {"id": EVENT_TYPE, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30, "ownerId": 7}
    ]
    server = CalcomStandIn(accounts=[account], event_types=event_types).start()
    yield server
    server.stop()


def ask(calendar: CalcomStandIn, method: str, path: str, version: str = "", **kwargs) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {KEY}", **({"cal-api-version": version} if version else {})}
    answer = httpx.request(method, f"{calendar.url}{path}", headers=headers, timeout=5, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json()


def test_the_standin_answers_in_the_shapes_of_calcoms_openapi_document(calendar, conforms):
    conforms(ask(calendar, "GET", "/v2/me"), "GetMeOutput")
    listed = ask(calendar, "GET", "/v2/event-types", "2024-06-14", params={"username": "acme"})
    conforms(listed, "GetEventTypesOutput_2024_06_14")
    assert [event_type["id"] for event_type in listed["data"]] == [EVENT_TYPE]
    slots = ask(
        calendar,
        "GET",
        "/v2/slots",
        "2024-09-04",
        params={"eventTypeId": EVENT_TYPE, "start": "2030-03-04T00:00:00Z", "end": "2030-03-04T23:59:59Z"},
    )
    # The document's slots schema contradicts its own example (calcom.md §1.3): the example's shape it is.
    assert list(slots["data"]) == ["2030-03-04"] and slots["data"]["2030-03-04"][0] == {
        "start": "2030-03-04T08:00:00.000+00:00"
    }
    body = {
        "start": "2030-03-04T08:00:00Z",
        "eventTypeId": EVENT_TYPE,
        "attendee": {"name": "Dana Ruiz", "timeZone": "Europe/Berlin", "phoneNumber": "+4915112345678"},
        "metadata": {"switchboard_ref": "42"},
    }
    created = ask(calendar, "POST", "/v2/bookings", "2024-08-13", json=body)
    conforms(created, "CreateBookingOutput_2024_08_13")
    uid = created["data"]["uid"]
    conforms(ask(calendar, "GET", "/v2/bookings", "2024-08-13"), "GetBookingsOutput_2024_08_13")
    moved = ask(
        calendar,
        "POST",
        f"/v2/bookings/{uid}/reschedule",
        "2024-08-13",
        json={"start": "2030-03-04T09:00:00Z"},
    )
    # Cancel and reschedule answers are a oneOf that an ordinary booking matches twice (the same defect
    # as the request bodies, calcom.md §3.3): the booking itself is checked.
    conforms(moved["data"], "BookingOutput_2024_08_13")
    cancelled = ask(
        calendar,
        "POST",
        f"/v2/bookings/{moved['data']['uid']}/cancel",
        "2024-08-13",
        json={"cancellationReason": "krank"},
    )
    conforms(cancelled["data"], "BookingOutput_2024_08_13")
    assert (moved["data"]["rescheduledFromUid"], cancelled["data"]["status"]) == (uid, "cancelled")


def test_an_unknown_key_is_refused_and_a_taken_time_cannot_be_booked_twice(calendar):
    refused = httpx.get(f"{calendar.url}/v2/me", headers={"Authorization": "Bearer cal_wrong"}, timeout=5)
    body = {
        "start": "2030-03-04T08:15:00Z",
        "eventTypeId": EVENT_TYPE,
        "attendee": {"name": "A", "timeZone": "UTC"},
    }
    first = httpx.post(f"{calendar.url}/v2/bookings", json=body, timeout=5)
    overlapping = httpx.post(
        f"{calendar.url}/v2/bookings", json={**body, "start": "2030-03-04T08:30:00Z"}, timeout=5
    )

    assert refused.status_code == 401
    assert (first.status_code, overlapping.status_code) == (201, 400), "a 30-minute booking blocks 08:30"


@pytest.fixture
def clinic(company, live_server):
    """Acme with Beratung at Praxis Mitte in event type 9101, and the stand-in as its Cal.com."""
    company.calcom_api_key, company.calcom_webhook_secret = KEY, SECRET
    company.save(update_fields=["calcom_api_key", "calcom_webhook_secret"])
    branch = BranchFactory(name="Praxis Mitte")
    service = ServiceFactory(name="Beratung", branches=[branch], duration_minutes=30)
    EventTypeMappingFactory(branch=branch, service=service, event_type_id=EVENT_TYPE)
    account = StandInAccount(
        api_key=KEY,
        username="acme",
        user_id=7,
        webhook_url=f"{live_server.url}/webhooks/calcom/{company.slug}",
        webhook_secret=SECRET,
    )
    event_types = [
        {"id": EVENT_TYPE, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30, "ownerId": 7}
    ]
    server = CalcomStandIn(accounts=[account], event_types=event_types).start()
    yield server
    server.stop()


def test_a_booking_made_in_the_standin_becomes_an_appointment_then_moves_and_is_cancelled(
    company, clinic, redis_client, namespace
):
    client = CalcomClient(
        api_key=KEY,
        redis_client=redis_client,
        key=namespace,
        settings=replace(FAST, base_url=clinic.url, read_timeout=10.0),
        http=httpx.Client(base_url=clinic.url, timeout=10.0),
    )
    first_slot = client.slots(
        event_type_id=EVENT_TYPE, start=MONDAY, end=MONDAY + timedelta(days=1), time_zone="Europe/Berlin"
    )[0]
    attendee = Attendee(name="Jonas Weber", time_zone="Europe/Berlin", phone="+4915112345678", language="de")

    booking = client.create_booking(
        event_type_id=EVENT_TYPE, start=first_slot.start, attendee=attendee, metadata={}
    )
    with tenant_context(company):
        appointment = Appointment.objects.get(calcom_booking_uid=booking.uid)
        assert (appointment.source, appointment.starts_at, appointment.status) == (
            "calcom",
            first_slot.start,
            "confirmed",
        )
        assert appointment.customer.name == "Jonas Weber"

    moved = client.reschedule_booking(booking.uid, start=first_slot.start + timedelta(hours=2))
    with tenant_context(company):
        appointment.refresh_from_db()
        assert (appointment.calcom_booking_uid, appointment.starts_at) == (moved.uid, moved.start)
        assert booking.uid in appointment.previous_booking_uids

    client.cancel_booking(moved.uid, reason="Krank")
    with tenant_context(company):
        appointment.refresh_from_db()
        assert appointment.status == "cancelled"
    assert [(trigger, status) for trigger, _uid, status in clinic.deliveries] == [
        ("BOOKING_CREATED", 200),
        ("BOOKING_RESCHEDULED", 200),
        ("BOOKING_CANCELLED", 200),
    ]
