"""Booking through the API goes through `appointment_book` like every other door: it lands in Cal.com (the
stand-in) and here, named by its key, and tells the company's webhooks. A repeated `Idempotency-Key` books
once; a taken slot is a 409, a refused rule a 422 with its reason, Cal.com down a 503 naming the callback
request that was made instead."""

import time

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context
from rest_framework.relations import PrimaryKeyRelatedField

from api.booking import CALENDAR_RETRY_SECONDS, CALENDAR_UNAVAILABLE, NAIVE_START, WHO_IS_BOOKED
from appointments.models import Appointment
from appointments.services import OUTSIDE_OPENING_HOURS, SERVICE_NOT_AT_BRANCH, SLOT_NOT_FREE
from callbacks.models import CallbackRequest
from common.messages import render_headings
from integrations.calcom.slot_cache import SlotCache
from org.models import Branch, Customer, Service
from tests.api.conftest import client_with
from tests.appointments.conftest import (  # noqa: F401 (fixtures)
    _cold_policy_cache,
    calcom,
    haircut,
    jonas,
    next_weekday_at,
)
from tests.factories.api import issue_key
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory
from tests.factories.webhooks import WebhookEndpointFactory
from tests.integrations.calcom.calcom_standin import Scripted, error_body
from webhooks.models import EventType, WebhookDelivery

JSON = "application/json"
BOOKINGS = "/api/v1/appointments/"


def monday_at(hour: int) -> str:
    return next_weekday_at(0, hour).isoformat()


@pytest.fixture
def wish(calcom, jonas, haircut, mitte, anna):  # noqa: F811
    """Jonas wants a haircut with Anna at Mitte next Monday at 10."""
    return {
        "customer": jonas.pk,
        "branch": mitte.pk,
        "service": haircut.pk,
        "staff": anna.pk,
        "starts_at": monday_at(10),
    }


def book(client, body: dict, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(BOOKINGS, body, content_type=JSON, **headers)


def bookings_sent(calcom) -> int:  # noqa: F811
    return len([seen for seen in calcom.requests_to("/v2/bookings") if seen.method == "POST"])


def test_a_booking_lands_in_calcom_and_here_named_by_its_key(api, wish, calcom, jonas):  # noqa: F811
    endpoint = WebhookEndpointFactory(events=[EventType.APPOINTMENT_CREATED])

    response = book(api, wish)

    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert (appointment.customer, appointment.source) == (jonas, Appointment.Source.API)
    assert appointment.starts_at == next_weekday_at(0, 10)
    in_calcom = calcom.booked[appointment.calcom_booking_uid]
    assert in_calcom["metadata"]["switchboard_ref"] == str(appointment.reference)
    assert appointment.policy_snapshot, "the policies in force are kept with the appointment"
    created = appointment.history.get(history_type="+")
    assert created.history_actor == "api-key:Practice software"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event_type == EventType.APPOINTMENT_CREATED
    assert delivery.payload["data"]["appointment"]["id"] == appointment.pk


def test_a_caller_named_by_phone_and_name_is_found_or_added(api, wish, jonas):  # noqa: F811
    known = {**wish, "customer": None, "phone": "0151 12345678", "name": "Jonas Weber"}
    new = {**known, "phone": "+49 30 1234567", "name": "Lea Kurz", "email": "lea@example.test"}
    new["starts_at"] = monday_at(11)

    assert book(api, known).json()["customer"] == jonas.pk
    response = book(api, new)

    assert response.status_code == 201, response.content
    lea = Customer.objects.get(pk=response.json()["customer"])
    assert (lea.name, str(lea.phone), lea.email) == ("Lea Kurz", "+49301234567", "lea@example.test")


def test_a_read_only_key_cannot_book(reader, wish, calcom):  # noqa: F811
    response = book(reader, wish)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Appointment.objects.exists()
    assert bookings_sent(calcom) == 0


@pytest.mark.parametrize("field", ["branch", "service", "customer"])
def test_another_companys_ids_are_not_found(api, wish, other_company, calcom, field):  # noqa: F811
    with tenant_context(other_company):
        theirs = {
            "branch": BranchFactory,
            "service": ServiceFactory,
            "customer": lambda: CustomerFactory(phone="+4915199999999"),
        }[field]()
    model = {"branch": Branch, "service": Service, "customer": Customer}[field]
    assert not model.objects.filter(pk=theirs.pk).exists(), "the id must not happen to be one of Acme's"

    response = book(api, {**wish, field: theirs.pk})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    not_found = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    assert response.json()["details"][field] == [not_found.format(pk_value=theirs.pk)]
    assert not Appointment.objects.exists()
    assert bookings_sent(calcom) == 0


def test_the_same_idempotency_key_books_once_and_answers_the_same_appointment(api, wish, calcom):  # noqa: F811
    first = book(api, wish, key="order-4711")
    again = book(api, wish, key="order-4711")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Appointment.objects.count() == 1
    assert bookings_sent(calcom) == 1


def test_another_key_with_the_same_idempotency_key_books_on_its_own(api, wish, calcom):  # noqa: F811
    other = client_with(issue_key(name="CRM"))

    assert book(api, wish, key="1").status_code == 201
    response = book(other, {**wish, "starts_at": monday_at(11)}, key="1")

    assert response.status_code == 201
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_at": "2030-03-04T10:00:00"}, "starts_at", str(NAIVE_START)),
        ({"starts_at": "next monday"}, "starts_at", None),
        ({"starts_at": "2030-03-04T12:99:00Z"}, "starts_at", None),
        ({"customer": None, "phone": "+49 30 5550199", "name": "Jo\ud840"}, "name", None),
        ({"notes": {"nested": ["\u0000"]}}, "notes.nested.0", None),
        ({"customer": None}, "customer", str(WHO_IS_BOOKED)),
        ({"customer": None, "phone": "12", "name": "Jo"}, "phone", None),
        ({"staff": "anna"}, "staff", None),
        ({"service": None}, "service", None),
    ],
)
def test_bad_fields_are_named_and_nothing_is_booked(api, wish, calcom, change, field, message):  # noqa: F811
    response = book(api, {**wish, **change})

    assert response.status_code == 400
    details = response.json()["details"]
    assert list(details) == [field]
    if message:
        assert details[field] == [message]
    assert not Appointment.objects.exists() and not Customer.objects.filter(name="Jo").exists()
    assert bookings_sent(calcom) == 0


def test_a_bad_idempotency_key_is_refused(api, wish):
    response = book(api, wish, key="x" * 101)

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["Idempotency-Key"]
    assert not Appointment.objects.exists()


def test_a_slot_taken_meanwhile_is_a_409(api, wish, calcom):  # noqa: F811
    assert book(api, wish).status_code == 201
    someone_else = CustomerFactory(name="Mia", phone="+4915100000001")

    response = book(api, {**wish, "customer": someone_else.pk})

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["message"]) == ("slot_not_free", str(SLOT_NOT_FREE))
    assert body["details"] == {"starts_at": [str(SLOT_NOT_FREE)]}
    assert Appointment.objects.count() == 1


def test_a_refused_rule_is_a_422_with_its_reason(api, wish, mitte):
    sunday = next_weekday_at(6, 10).isoformat()

    response = book(api, {**wish, "starts_at": sunday})

    assert response.status_code == 422
    reason = OUTSIDE_OPENING_HOURS % {"branch": mitte}
    assert response.json() == {"code": "refused", "message": reason, "details": {"starts_at": [reason]}}
    assert not Appointment.objects.exists()


def test_a_service_not_offered_at_the_branch_is_refused_naming_the_service(api, wish, haircut):  # noqa: F811
    elsewhere = BranchFactory(name="Kreuzberg")

    response = book(api, {**wish, "branch": elsewhere.pk, "staff": None})

    assert response.status_code == 422
    reason = SERVICE_NOT_AT_BRANCH % {"service": haircut, "branch": elsewhere}
    assert response.json()["details"] == {"service": [reason]}


def test_when_calcom_is_down_a_503_names_the_callback_request_made_instead(api, wish, calcom, jonas):  # noqa: F811
    calcom.queue(*[Scripted(503, error_body(503, "ServiceUnavailableException", "down"))] * 4)

    response = book(api, wish, key="order-9")

    assert response.status_code == 503
    assert response["Retry-After"] == str(CALENDAR_RETRY_SECONDS)
    body = response.json()
    assert (body["code"], body["message"]) == ("calendar_unavailable", str(CALENDAR_UNAVAILABLE))
    callback = CallbackRequest.objects.get(pk=int(body["details"]["callback_request"][0]))
    assert (callback.source, callback.customer) == (CallbackRequest.Source.BOOKING_FAILURE, jonas)
    assert not Appointment.objects.exists()


def book_once_calcom_answers(client, body: dict, key: str):
    """The client retries after a 503 (as `Retry-After` asks) until Cal.com takes the booking. A slot
    window that just failed is given up at once for `SlotCache.FAILURE_SECONDS`, so the first retries
    after recovery may still be 503s (each naming the same callback request)."""
    deadline = time.monotonic() + SlotCache.FAILURE_SECONDS + 5
    while (response := book(client, body, key=key)).status_code == 503:
        assert time.monotonic() < deadline, response.content
        time.sleep(0.2)
    return response


def test_a_retry_that_books_after_a_503_completes_the_callback_request_made_for_it(api, wish, calcom):  # noqa: F811
    calcom.go_down("unavailable")
    refused = book(api, wish, key="order-10")
    assert refused.status_code == 503
    deferral = CallbackRequest.objects.get(pk=int(refused.json()["details"]["callback_request"][0]))
    assert deferral.is_open and deferral.metadata["idempotency_key"].endswith(":order-10")

    calcom.recover()
    booked = book_once_calcom_answers(api, wish, key="order-10")

    assert booked.status_code == 201, booked.content
    appointment = Appointment.objects.get()
    deferral.refresh_from_db()
    assert (deferral.status, deferral.appointment) == (CallbackRequest.Status.COMPLETED, appointment)
    notes = render_headings(deferral.notes, "en")  # the heading the system wrote, read in English
    with translation.override("en"):
        assert f"appointment #{appointment.pk} booked" in notes
        assert f"through {appointment.get_source_display()}" in notes
    assert not CallbackRequest.objects.open().exists(), "nothing left for staff to book by hand"
    assert bookings_sent(calcom) == 1
    assert book(api, wish, key="order-10").json() == booked.json()
