"""The caller is who Retell says called (issue 14, item 3): a number in the arguments reaches nobody.

Mallory calls Acme from her own phone and names Dana's number in every function. Dana (Acme's customer,
+49 151 12345678) has an open callback and a consultation on Monday 9 March at 14:30. Nothing of Dana's
may change and no answer may tell Mallory anything about her. The clock stands on Wednesday 4 March 2026,
10:00 in Berlin.
"""

from datetime import datetime, timedelta
from functools import partial

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment, SlotHold
from callbacks.models import CallbackEvent, CallbackRequest
from calls.models import FunctionInvocation
from integrations.retell.functions.dispatch import CALL_NUMBERS_DIFFER
from org.models import Customer
from tenants.services import phone_route_add
from tests.integrations.retell.conftest import BERLIN, DANA_PHONE
from tests.integrations.retell.test_retell_booking_functions import calcom  # noqa: F401  (Cal.com stand-in)

MALLORY_PHONE = "+4917099900011"
SECOND_ACME_NUMBER = "+4930901821"
DANAS_MONDAY = datetime(2026, 3, 9, 14, 30, tzinfo=BERLIN)
DANA = {"phone": DANA_PHONE, "customer_phone": DANA_PHONE}


@pytest.fixture
def dana(acme, call_function, clock):
    """Dana's open callback (from her own call `call_dana`) and her Monday consultation."""
    with tenant_context(acme.company):
        Appointment.objects.create(
            customer=acme.customer,
            service=acme.branch.services.get(name="Beratung"),
            branch=acme.branch,
            starts_at=DANAS_MONDAY,
            ends_at=DANAS_MONDAY + timedelta(minutes=30),
        )
    call_function("request_callback", {"reason": "Frage zur Rechnung"}, call_id="call_dana")
    return acme


@pytest.fixture
def mallory(call_function):
    """Functions during Mallory's own call `call_mallory`."""
    return partial(call_function, call_id="call_mallory", from_number=MALLORY_PHONE)


def danas_records(line) -> dict:
    """Everything of Dana's an attacker might change."""
    with tenant_context(line.company):
        callback = CallbackRequest.objects.get(phone=DANA_PHONE, phone_given_by_caller=False)
        return {
            "callback": (callback.priority, callback.expires_at, callback.notes, callback.customer_id),
            "callback_events": list(CallbackEvent.objects.filter(callback=callback).values_list("kind")),
            "appointments": list(Appointment.objects.values_list("id", "status", "starts_at", "customer_id")),
            "customers": list(Customer.objects.filter(phone=DANA_PHONE).values_list("id", "name", "email")),
        }


def reveals_dana(reply: dict) -> bool:
    text = str(reply).lower()
    return any(word in text for word in ("dana", "bereits", "14:30", "montag, 9. märz"))


def test_a_callback_for_someone_elses_number_is_a_new_one_marked_as_dictated(dana, mallory):
    before = danas_records(dana)
    reply = mallory("request_callback", {"reason": "Dringend!", "priority": "urgent", **DANA})
    assert (reply["ok"], reply["status"]) == (True, "created")
    assert danas_records(dana) == before
    with tenant_context(dana.company):
        dictated = CallbackRequest.objects.get(phone_given_by_caller=True)
    assert (str(dictated.phone), dictated.customer_id, dictated.customer_name) == (DANA_PHONE, None, "")
    assert not reveals_dana(reply)


def test_a_withheld_caller_may_leave_a_callback_on_a_number_they_dictate(dana, call_function):
    reply = call_function(
        "request_callback", {"reason": "Rückruf bitte", **DANA}, call_id="call_anon", from_number=""
    )
    assert reply["status"] == "created"
    with tenant_context(dana.company):
        assert CallbackRequest.objects.filter(phone=DANA_PHONE).count() == 2
        assert CallbackRequest.objects.get(pk=reply["callback_id"]).phone_given_by_caller


def test_the_callers_own_number_in_the_arguments_is_still_their_own(dana, call_function):
    reply = call_function("request_callback", {"reason": "Noch was", "phone": DANA_PHONE}, call_id="call_d2")
    assert reply["status"] == "merged"
    with tenant_context(dana.company):
        assert not CallbackRequest.objects.filter(phone_given_by_caller=True).exists()


def test_check_customer_knows_only_the_number_the_call_came_from(dana, mallory):
    reply = mallory("check_customer", DANA)
    assert (reply["status"], reply["found"]) == ("new_customer", False)
    assert not reveals_dana(reply)


def test_find_my_appointments_lists_only_the_callers_own(dana, mallory, call_function):
    reply = mallory("find_my_appointments", DANA)
    assert reply["appointments"] == []
    assert not reveals_dana(reply)
    own = call_function("find_my_appointments", DANA, call_id="call_dana")
    assert [item["service"] for item in own["appointments"]] == ["Beratung"]


@pytest.mark.usefixtures("calcom")
def test_booking_with_someone_elses_number_books_for_the_caller(dana, mallory):
    before = danas_records(dana)
    args = {"service": "Beratung", "datetime": DANAS_MONDAY.isoformat(), "name": "Dana Ruiz", **DANA}
    reply = mallory("book_appointment", args)
    assert reply["status"] == "booked" and not reveals_dana(
        {k: v for k, v in reply.items() if k != "message"}
    )
    with tenant_context(dana.company):
        booked = Appointment.objects.get(pk=reply["appointment_id"])
        assert str(booked.customer.phone) == MALLORY_PHONE
    after = danas_records(dana)
    assert (after["callback"], after["customers"]) == (before["callback"], before["customers"])


@pytest.mark.usefixtures("calcom")
def test_a_withheld_caller_naming_someone_elses_number_gets_a_callback_not_their_record(dana, call_function):
    before = danas_records(dana)
    args = {"service": "Beratung", "datetime": DANAS_MONDAY.isoformat(), "name": "Dana Ruiz", **DANA}
    reply = call_function("book_appointment", args, call_id="call_anon", from_number="")
    assert (reply["ok"], reply["status"]) == (False, "callback_queued")
    assert "bereits" not in reply["message"]
    assert danas_records(dana) == before
    with tenant_context(dana.company):
        assert Appointment.objects.count() == 1
        dictated = CallbackRequest.objects.get(pk=reply["callback_id"])
        assert (dictated.phone_given_by_caller, dictated.customer_id) == (True, None)


@pytest.mark.usefixtures("calcom")
@pytest.mark.parametrize("name", ["cancel_appointment", "reschedule_appointment"])
def test_nobody_changes_an_appointment_by_naming_its_owners_number(dana, mallory, name):
    before = danas_records(dana)
    with tenant_context(dana.company):
        danas = Appointment.objects.get()
    args = {"appointment_id": danas.pk, "new_date": "morgen um 11", "confirm": True, **DANA}
    reply = mallory(name, args)
    assert (reply["ok"], reply["status"]) == (False, "not_found")
    assert danas_records(dana) == before


@pytest.mark.usefixtures("calcom")
@pytest.mark.parametrize("name", ["check_availability", "reserve_slot"])
def test_slot_questions_never_mention_someone_elses_appointment(dana, mallory, name):
    reply = mallory(name, {"service": "Beratung", "datetime": DANAS_MONDAY.isoformat(), **DANA})
    assert reply["status"] != "own_appointment" and "own_appointment_id" not in reply
    with tenant_context(dana.company):
        assert not SlotHold.objects.filter(customer=dana.customer).exists()


@pytest.mark.usefixtures("calcom")
def test_find_next_available_ignores_a_number_in_the_arguments(dana, mallory):
    reply = mallory("find_next_available", {"service": "Beratung", **DANA})
    assert reply["status"] == "available" and not reveals_dana(reply)


@pytest.mark.usefixtures("calcom")
def test_a_hold_of_someone_elses_call_cannot_be_released(dana, mallory, call_function):
    held = call_function("reserve_slot", {"service": "Beratung", "date": "morgen um 10"}, call_id="call_dana")
    reply = mallory("release_slot", {"reservation_uid": held["reservation_uid"], **DANA})
    assert (reply["ok"], reply["field"]) == (False, "reservation")
    with tenant_context(dana.company):
        assert SlotHold.objects.get().status == SlotHold.Status.HELD


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("list_services", {}),
        ("get_service_info", {"service": "Beratung"}),
        ("get_opening_hours", {"day": "morgen"}),
        ("parse_date", {"date": "morgen"}),
    ],
)
def test_information_is_the_same_whatever_number_is_named(dana, mallory, name, args):
    plain = mallory(name, args)
    assert mallory(name, {**args, **DANA}) == plain
    assert not reveals_dana(plain)


def test_a_call_id_with_other_numbers_is_refused_and_recorded(dana, mallory):
    before = danas_records(dana)
    listing = mallory("find_my_appointments", {}, call_id="call_dana")
    callback = mallory("request_callback", {"reason": "urgent", "priority": "urgent"}, call_id="call_dana")
    for reply in (listing, callback):
        assert (reply["ok"], reply["status"]) == (False, "refused")
        assert "appointments" not in reply and not reveals_dana(reply)
    assert danas_records(dana) == before
    with tenant_context(dana.company):
        refused = list(FunctionInvocation.objects.filter(error=CALL_NUMBERS_DIFFER).values_list("succeeded"))
    assert refused == [(False,), (False,)]


def test_a_call_id_sent_to_another_of_our_numbers_is_refused(dana, call_function):
    phone_route_add(company=dana.company, number=SECOND_ACME_NUMBER, branch_id=dana.branch.pk)
    reply = call_function("find_my_appointments", {}, call_id="call_dana", to_number=SECOND_ACME_NUMBER)
    assert (reply["status"], "appointments" in reply) == ("refused", False)
