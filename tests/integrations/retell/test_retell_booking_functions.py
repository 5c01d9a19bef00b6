"""Booking by phone: availability, holds, booking, cancelling and moving, through the appointment services.

Acme's calendar is the local Cal.com stand-in (30-minute slots, Mon-Fri 9-18 Berlin). The clock stands on
Wednesday 4 March 2026, 10:00 in Berlin.
"""

import uuid
from datetime import datetime
from functools import partial

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment, SlotHold
from callbacks.models import CallbackRequest
from common.redis import get_redis
from policies.selectors import policy_cache_invalidate
from tests.factories.appointments import AppointmentFactory, EventTypeMappingFactory
from tests.factories.org import StaffFactory
from tests.factories.policies import PolicyFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn, Scripted
from tests.integrations.retell.conftest import BERLIN

THURSDAY_10 = datetime(2026, 3, 5, 10, 0, tzinfo=BERLIN)


def _forget_redis_state(schema: str) -> None:
    for key in get_redis().scan_iter(f"sb:{schema}:*"):
        get_redis().delete(key)


@pytest.fixture
def calcom(acme, settings, clock):
    """Acme's Cal.com, played by the stand-in; Beratung is event type 4242."""
    server = CalcomStandIn().start()
    acme.company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.company.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {
            "base_url": server.url,
            "connect_timeout": 0.5,
            "read_timeout": 1.0,
            "attempts": 2,
            "backoff_base": 0.01,
            "backoff_max": 0.02,
        },
    }
    EventTypeMappingFactory(service=acme.branch.services.get(name="Beratung"), event_type_id=4242)
    _forget_redis_state(acme.company.schema_name)
    policy_cache_invalidate()
    yield server
    server.stop()
    _forget_redis_state(acme.company.schema_name)
    policy_cache_invalidate()


@pytest.fixture
def run(call_function):
    return partial(call_function, call_id="call_book")


def test_check_availability_for_a_vague_time_offers_slots_in_that_window(calcom, run):
    reply = run("check_availability", {"service": "Beratung", "date": "morgen vormittag"})
    assert (reply["ok"], reply["status"]) == (True, "available")
    starts = [slot["start"] for slot in reply["slots"]]
    assert starts == ["2026-03-05T09:00:00+01:00", "2026-03-05T09:30:00+01:00", "2026-03-05T10:00:00+01:00"]
    assert reply["message"].startswith("Ich habe folgende Zeiten frei: Donnerstag, 5. März um 09:00 Uhr, ")


def test_check_availability_for_a_free_exact_time(calcom, run):
    reply = run("check_availability", {"service": "Beratung", "date": "morgen", "time": "10 Uhr"})
    assert (reply["available"], reply["start"]) == (True, THURSDAY_10.isoformat())
    assert (
        reply["message"] == "Donnerstag, 5. März um 10:00 Uhr ist frei. Soll ich den Termin für Sie buchen?"
    )


def test_a_taken_time_gets_up_to_three_alternatives(calcom, acme, run):
    AppointmentFactory(
        customer=acme.customer,
        service=acme.branch.services.get(name="Beratung"),
        branch=acme.branch,
        starts_at=THURSDAY_10,
    )
    reply = run("check_availability", {"service": "Beratung", "date": "morgen um 10"})
    assert reply["status"] == "own_appointment"
    assert reply["message"].startswith(
        "Sie haben zu dieser Zeit bereits einen Termin: Beratung am Donnerstag"
    )
    assert 1 <= len(reply["alternatives"]) <= 3


def test_a_time_in_the_past_is_refused_with_a_question(calcom, run):
    reply = run("check_availability", {"service": "Beratung", "date": "heute um 8"})
    assert (reply["status"], reply["field"]) == ("in_the_past", "when")


def test_staff_who_cannot_do_the_service_are_refused(calcom, acme, run):
    StaffFactory(
        name="Paula Putz", branches=[acme.branch], services=[acme.branch.services.get(name="Zahnreinigung")]
    )
    reply = run("check_availability", {"service": "Beratung", "date": "morgen", "staff": "Paula"})
    assert reply["message"] == "Paula Putz bietet Beratung nicht an. Soll ich bei jemand anderem buchen?"


def test_book_appointment_books_through_the_appointment_service(calcom, acme, run):
    reply = run("book_appointment", {"service": "Beratung", "datetime": "2026-03-05T10:00:00+01:00"})
    assert (reply["ok"], reply["status"]) == (True, "booked")
    assert reply["message"] == "Ihr Termin ist gebucht: Beratung am Donnerstag, 5. März um 10:00 Uhr."
    with tenant_context(acme.company):
        appointment = Appointment.objects.get()
        assert (appointment.source, appointment.customer_id) == ("phone_agent", acme.customer.pk)
        assert appointment.call.retell_call_id == "call_book"
    assert len(calcom.requests_to("/v2/bookings")) == 1


def test_a_retried_booking_books_once(calcom, acme, run):
    args = {"service": "Beratung", "date": "morgen", "time": "10:00"}
    first, second = run("book_appointment", args), run("book_appointment", args)
    assert first["appointment_id"] == second["appointment_id"]
    with tenant_context(acme.company):
        assert Appointment.objects.count() == 1
    assert len([r for r in calcom.requests_to("/v2/bookings") if r.method == "POST"]) == 1


def test_a_new_caller_is_asked_for_a_name_then_booked(calcom, acme, run):
    args = {"service": "Beratung", "date": "morgen um 11"}
    asked = run("book_appointment", args, from_number="+4917055544433")
    assert (asked["field"], asked["message"]) == ("name", "Darf ich bitte Ihren Namen haben?")
    booked = run("book_appointment", {**args, "customer_name": "Nina Neu"}, from_number="+4917055544433")
    assert booked["status"] == "booked"
    with tenant_context(acme.company):
        assert Appointment.objects.get().customer.name == "Nina Neu"


def test_an_unreachable_calendar_leaves_a_booking_failure_callback(calcom, acme, run):
    calcom.queue(*[Scripted(503, {"status": "error"}) for _ in range(6)])
    reply = run("book_appointment", {"service": "Beratung", "date": "morgen um 10"})
    assert (reply["ok"], reply["status"]) == (False, "callback_queued")
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get(pk=reply["callback_id"])
        assert callback.source == "booking_failure"
        assert not Appointment.objects.exists()


def test_a_hold_is_made_released_and_used_by_the_booking(calcom, acme, run):
    held = run("reserve_slot", {"service": "Beratung", "date": "morgen um 10"})
    assert held["status"] == "reserved"
    assert held["message"] == "Ich halte Donnerstag, 5. März um 10:00 Uhr für 5 Minuten für Sie frei."
    assert run("release_slot", {})["status"] == "released"
    run("reserve_slot", {"service": "Beratung", "date": "morgen um 10"})
    assert run("book_appointment", {"service": "Beratung", "date": "morgen um 10"})["status"] == "booked"
    with tenant_context(acme.company):
        assert sorted(SlotHold.objects.values_list("status", flat=True)) == ["booked", "released"]


def test_a_hold_of_another_call_cannot_be_released(calcom, run):
    run("reserve_slot", {"service": "Beratung", "date": "morgen um 10"}, call_id="call_one")
    reply = run("release_slot", {}, call_id="call_two")
    assert (reply["ok"], reply["field"]) == (False, "reservation")


def acme_company(appointment):
    """The tenant the appointment lives in (requests leave the connection on the public schema)."""
    from tenants.models import Company

    return Company.objects.get(schema_name="acme")


@pytest.fixture
def dana_appointment(calcom, acme):
    return AppointmentFactory(
        customer=acme.customer,
        service=acme.branch.services.get(name="Beratung"),
        branch=acme.branch,
        starts_at=datetime(2026, 3, 6, 11, tzinfo=BERLIN),
        calcom_booking_uid=None,  # made before Cal.com knew it: moving it books it there
    )


def test_cancelling_with_a_fee_needs_confirmation(dana_appointment, run, acme):
    PolicyFactory(settings={"fee": {"kind": "fixed", "amount": "15", "currency": "EUR"}})
    asked = run("cancel_appointment", {"reason": "krank"})
    assert (asked["status"], asked["fee"]) == ("needs_confirmation", {"amount": "15.00", "currency": "EUR"})
    assert asked["message"] == "Eine Absage kostet jetzt 15,00 EUR. Soll ich trotzdem absagen?"
    done = run("cancel_appointment", {"reason": "krank", "confirm": True})
    assert done["message"] == (
        "Ihr Termin Beratung am Freitag, 6. März um 11:00 Uhr ist abgesagt."
        " Es fällt eine Gebühr von 15,00 EUR an."
    )
    with tenant_context(acme_company(dana_appointment)):
        dana_appointment.refresh_from_db()
    assert dana_appointment.status == "cancelled"


def test_a_refused_cancellation_gives_the_policys_reason(dana_appointment, run):
    PolicyFactory(settings={"hours_before": 72})
    reply = run("cancel_appointment", {})
    assert reply["status"] == "denied"
    assert reply["message"].startswith("Das ist leider nicht möglich: ")
    with tenant_context(acme_company(dana_appointment)):
        dana_appointment.refresh_from_db()
    assert dana_appointment.status == "confirmed"


def test_rescheduling_moves_the_appointment(dana_appointment, run):
    reply = run("reschedule_appointment", {"new_date": "nächsten Montag um 14 Uhr"})
    assert reply["status"] == "rescheduled", reply
    assert reply["message"] == "Erledigt: Beratung ist jetzt am Montag, 9. März um 14:00 Uhr."
    with tenant_context(acme_company(dana_appointment)):
        dana_appointment.refresh_from_db()
    assert dana_appointment.starts_at == datetime(2026, 3, 9, 14, tzinfo=BERLIN)


def test_rescheduling_to_a_vague_time_offers_slots(dana_appointment, run):
    reply = run("reschedule_appointment", {"new_date": "nächsten Montag nachmittags"})
    assert reply["status"] == "available" and reply["slots"]


def test_nobody_can_cancel_an_appointment_of_someone_else(dana_appointment, run):
    reply = run("cancel_appointment", {"appointment_id": dana_appointment.pk}, from_number="+4917000000001")
    assert (reply["ok"], reply["status"]) == (False, "not_found")
    with tenant_context(acme_company(dana_appointment)):
        dana_appointment.refresh_from_db()
    assert dana_appointment.status == "confirmed"


def test_find_next_available(calcom, run):
    reply = run("find_next_available", {"service": "Beratung"})
    assert reply["next_available"]["start"] == "2026-03-04T10:30:00+01:00"


def test_a_service_without_calendar_leaves_a_callback(calcom, acme, run):
    reply = run("check_availability", {"service": "Zahnreinigung", "date": "morgen"})
    assert reply["status"] == "callback_queued"
    assert reply["message"] == "Das kann ich gerade leider nicht erledigen; wir rufen Sie dazu zurück."


def no_slots() -> Scripted:
    return Scripted(200, {"status": "success", "data": {}}, path_prefix="/v2/slots")


def test_a_slot_gone_at_booking_time_gets_alternatives(calcom, acme, run):
    calcom.queue(no_slots())  # the re-check before booking finds 10:00 taken
    reply = run("book_appointment", {"service": "Beratung", "date": "morgen um 10"})
    assert reply["status"] == "unavailable"
    assert reply["message"].startswith(
        "Donnerstag, 5. März um 10:00 Uhr ist leider nicht frei. Ich könnte Ihnen anbieten:"
    )
    assert 1 <= len(reply["alternatives"]) <= 3


def test_a_slot_gone_without_alternatives_leaves_a_callback(calcom, acme, run):
    calcom.queue(no_slots(), no_slots())
    reply = run("book_appointment", {"service": "Beratung", "date": "morgen um 10"})
    assert reply["status"] == "callback_queued"
    assert reply["message"].endswith("Wir rufen Sie zurück, um einen Termin zu finden.")
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get(pk=reply["callback_id"])
        assert (callback.source, callback.metadata["kind"]) == ("booking_failure", "slot_gone")


def test_a_wish_over_several_days_offers_the_first_time_of_each_day(calcom, run):
    reply = run("check_availability", {"service": "Beratung", "date": "nächste Woche vormittags"})
    assert [slot["start"] for slot in reply["slots"]] == [
        "2026-03-09T09:00:00+01:00",
        "2026-03-10T09:00:00+01:00",
        "2026-03-11T09:00:00+01:00",
    ]


def test_a_withheld_number_cannot_change_appointments(dana_appointment, run):
    reply = run(
        "cancel_appointment", {"appointment_id": dana_appointment.pk}, from_number="", call_id="call_anon"
    )
    assert (reply["ok"], reply["status"]) == (False, "identity_needed")
    assert reply["message"].startswith("Um einen Termin zu ändern, muss ich Ihre Nummer erkennen.")
