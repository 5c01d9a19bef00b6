"""In-call functions: spoken answers in the company language, bad arguments asked for, every run recorded."""

from datetime import datetime, timedelta
from functools import partial

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from calls.models import Call, FunctionInvocation
from integrations.retell.functions import dispatch
from tests.integrations.retell.conftest import BERLIN, GLOBEX_NUMBER


@pytest.fixture
def run(call_function, clock):
    """Functions during call `call_fn` from Dana's phone to Acme (Wednesday 4 March 2026, 10:00)."""
    return partial(call_function, call_id="call_fn")


def invocations(line) -> list[FunctionInvocation]:
    with tenant_context(line.company):
        return list(FunctionInvocation.objects.select_related("call").order_by("id"))


def test_check_customer_recognises_the_caller_and_links_the_call(acme, run):
    reply = run("check_customer")
    assert (reply["ok"], reply["found"], reply["name"]) == (True, True, "Dana Ruiz")
    assert reply["message"] == "Schön, dass Sie wieder anrufen, Dana Ruiz."
    with tenant_context(acme.company):
        call = Call.objects.get(retell_call_id="call_fn")
        assert (call.customer_id, call.branch_id) == (acme.customer.pk, acme.branch.pk)


def test_every_invocation_is_recorded_on_the_call(acme, run):
    run("check_customer")
    run("parse_date", {"date": "morgen"})
    recorded = invocations(acme)
    assert [i.name for i in recorded] == ["check_customer", "parse_date"]
    assert recorded[1].arguments == {"date": "morgen"}
    assert recorded[1].result["date"] == "2026-03-05"
    assert recorded[1].succeeded and recorded[1].duration_ms >= 0
    assert {i.call.retell_call_id for i in recorded} == {"call_fn"}


def test_check_customer_for_a_new_and_a_withheld_number(acme, run):
    assert run("check_customer", from_number="+4917011122233")["status"] == "new_customer"
    withheld = run("check_customer", from_number="", call_id="call_anon")
    assert (withheld["status"], withheld["found"]) == ("withheld", False)


def test_list_services_of_the_callers_branch(acme, run):
    reply = run("list_services")
    assert [s["name"] for s in reply["services"]] == ["Beratung", "Zahnreinigung"]
    assert reply["message"] == "Wir bieten an: Beratung und Zahnreinigung."


def test_get_service_info_speaks_duration_and_price(acme, run):
    reply = run("get_service_info", {"service_name": "zahnreinigung"})
    assert reply["message"] == "Zahnreinigung dauert 60 Minuten und kostet 89,00 EUR."


def test_an_unknown_service_is_answered_with_what_we_offer(acme, run):
    reply = run("get_service_info", {"service": "Massage"})
    assert (reply["ok"], reply["status"], reply["field"]) == (False, "unknown_service", "service")
    assert reply["message"] == "Massage habe ich nicht gefunden. Wir bieten an: Beratung und Zahnreinigung."


def test_opening_hours_of_one_day_and_of_the_week(acme, run):
    assert run("get_opening_hours", {"day": "morgen"})["message"] == (
        "Am Donnerstag, 5. März haben wir von 09:00 Uhr bis 18:00 Uhr geöffnet."
    )
    assert (
        run("get_opening_hours", {"day": "Samstag"})["message"]
        == "Am Samstag, 7. März haben wir geschlossen."
    )
    week = run("get_opening_hours")
    assert week["open_now"] is True
    assert week["message"].startswith("Unsere Öffnungszeiten: Mittwoch von 09:00 Uhr bis 18:00 Uhr;")


def test_parse_date_understands_spoken_german(acme, run):
    reply = run("parse_date", {"date_string": "nächsten Dienstag um 10"})
    assert (reply["date"], reply["time"], reply["exact"]) == ("2026-03-10", "10:00", True)
    assert reply["message"] == "Das ist Dienstag, 10. März um 10:00 Uhr."


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ({}, "missing_argument", "An welchem Tag und um wie viel Uhr möchten Sie kommen?"),
        (
            {"date": "irgendwann"},
            "invalid_argument",
            "„irgendwann“ habe ich nicht verstanden. Können Sie es "
            "anders sagen, zum Beispiel „nächsten Dienstag um 10“?",
        ),
    ],
)
def test_bad_arguments_get_200_and_a_question(acme, run, args, status, message):
    reply = run("parse_date", args)
    assert (reply["ok"], reply["status"], reply["message"]) == (False, status, message)


def test_an_english_company_answers_in_english(acme, run):
    acme.company.language = "en"
    acme.company.save(update_fields=["language"])
    assert run("list_services")["message"] == "We offer: Beratung and Zahnreinigung."
    assert run("parse_date", {"date": "next Friday afternoon"})["message"] == "That is Friday, 6 March 2026."


def test_request_callback_creates_one_through_the_callback_service(acme, run):
    reply = run("request_callback", {"reason": "Frage zur Rechnung", "preferred_time": "morgen nachmittag"})
    assert (reply["ok"], reply["status"]) == (True, "created")
    assert reply["message"].startswith("Vielen Dank. Wir rufen Sie bis ")
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get()
        assert (callback.source, callback.notes, callback.customer_id) == (
            "phone_agent",
            "Frage zur Rechnung",
            acme.customer.pk,
        )
        assert callback.call.retell_call_id == "call_fn"
        assert callback.preferred_window_start == datetime(2026, 3, 5, 12, tzinfo=BERLIN)


def test_a_second_callback_request_is_merged_into_the_open_one(acme, run):
    run("request_callback", {"reason": "Rechnung"})
    reply = run("request_callback", {"reason": "Noch eine Frage"}, call_id="call_again")
    assert reply["status"] == "merged"
    with tenant_context(acme.company):
        assert CallbackRequest.objects.count() == 1


def test_request_callback_asks_for_what_is_missing(acme, run):
    assert run("request_callback")["message"] == (
        "Worum geht es, damit sich meine Kollegin oder mein Kollege vorbereiten kann?"
    )
    withheld = run("request_callback", {"reason": "Rechnung"}, from_number="", call_id="call_anon")
    assert (withheld["field"], withheld["message"]) == (
        "phone",
        "Unter welcher Telefonnummer können wir Sie erreichen?",
    )
    assert run("request_callback", {"reason": "x", "phone": "12"}, call_id="call_x")["field"] == "phone"


def monday_consultation(acme) -> Appointment:
    """Dana's "Beratung" on Monday 9 March 2026 at 14:30."""
    start = datetime(2026, 3, 9, 14, 30, tzinfo=BERLIN)
    return Appointment.objects.create(
        customer=acme.customer,
        service=acme.branch.services.get(name="Beratung"),
        branch=acme.branch,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )


def test_find_my_appointments_by_the_callers_number(acme, run):
    monday_consultation(acme)
    reply = run("find_my_appointments")
    assert reply["message"] == "Ihre nächsten Termine: Beratung am Montag, 9. März um 14:30 Uhr."
    assert reply["appointments"][0]["service"] == "Beratung"


def test_a_withheld_caller_learns_only_time_and_service_by_name_and_date(acme, run):
    monday_consultation(acme)
    asked = run("find_my_appointments", from_number="", call_id="call_anon")
    assert (
        asked["message"]
        == "Ihre Nummer ist unterdrückt. Nennen Sie mir bitte Ihren Namen und das Datum des Termins."
    )
    reply = run(
        "find_my_appointments", {"name": "dana ruiz", "date": "9.3."}, from_number="", call_id="call_anon"
    )
    assert reply["appointments"] == [{"service": "Beratung", "time": "14:30"}]
    assert reply["message"] == "Ich habe Ihren Termin gefunden: Beratung um 14:30 Uhr."


def test_an_unknown_function_is_answered_and_recorded(acme, run):
    reply = run("teleport_customer")
    assert (reply["ok"], reply["status"]) == (False, "unknown_function")
    assert "book_appointment" in reply["available_functions"]
    assert invocations(acme)[0].name == "teleport_customer"


def test_a_crashing_function_still_answers_200_and_records_the_error(acme, run, monkeypatch):
    def broken(context):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(dispatch.FUNCTIONS, "list_services", broken)
    reply = run("list_services")
    assert (reply["ok"], reply["status"]) == (False, "error")
    [recorded] = invocations(acme)
    assert (recorded.succeeded, recorded.error) == (False, "RuntimeError: database on fire")


def test_versioned_and_old_function_names_are_understood(acme, run):
    assert run("list_services_v17")["services"]
    assert run("query_appointment")["message"] == "Ich finde keinen anstehenden Termin für Sie."


def test_a_call_of_another_company_sees_only_that_company(acme, globex, run):
    reply = run("list_services", to_number=GLOBEX_NUMBER, call_id="call_globex")
    assert [s["name"] for s in reply["services"]] == ["Färben"]
    assert run("check_customer", to_number=GLOBEX_NUMBER, call_id="call_globex")["name"] == "Eve Globex"
    assert [i.name for i in invocations(globex)] == ["list_services", "check_customer"]
    assert invocations(acme) == []


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        ("parse_date", "when", "An welchem Tag und um wie viel Uhr möchten Sie kommen?"),
        (
            "request_callback",
            "reason",
            "Worum geht es, damit sich meine Kollegin oder mein Kollege vorbereiten kann?",
        ),
        ("check_availability", "service", "Welche Leistung möchten Sie?"),
        ("find_next_available", "service", "Welche Leistung möchten Sie?"),
        ("reserve_slot", "service", "Welche Leistung möchten Sie?"),
        ("book_appointment", "service", "Welche Leistung möchten Sie?"),
        ("release_slot", "reservation", "Welche reservierte Zeit meinen Sie?"),
        ("cancel_appointment", "appointment", "Ich finde keinen anstehenden Termin für Sie."),
        ("reschedule_appointment", "appointment", "Ich finde keinen anstehenden Termin für Sie."),
    ],
)
def test_every_function_asks_for_what_is_missing_with_200(acme, run, name, field, message):
    reply = run(name, {"service": ["not", "a", "string"]} if name == "book_appointment" else {})
    assert (reply["ok"], reply["field"], reply["message"]) == (False, field, message)
    assert invocations(acme)[-1].succeeded is False


def test_a_time_without_a_clock_time_is_asked_for_before_holding(acme, run):
    reply = run("reserve_slot", {"service": "Beratung", "date": "morgen"})
    assert (reply["field"], reply["message"]) == ("time", "Um wie viel Uhr genau?")


def test_a_branch_without_hours_says_so(acme, run):
    acme.branch.opening_hours.all().delete()
    assert run("get_opening_hours")["message"] == (
        "In den nächsten Tagen haben wir keine Öffnungszeiten. Soll ich einen Rückruf veranlassen?"
    )
