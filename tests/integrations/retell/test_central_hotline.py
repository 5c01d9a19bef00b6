"""The central hotline: a number of no branch is a legitimate route. The agent learns the branches, names
them when it must ask, and every in-call function whose answer depends on a branch takes `branch` as people
say it. Nothing picks a branch for the caller. A branch number works as before.

Signed Retell requests over HTTP; Cal.com is the stand-in. Acme has "Praxis Mitte" (Beratung, 4242) and
"Charlottenburg" (Massage only there, 5151); the central number +49 30 55501009 belongs to neither.
"""

from functools import partial

import pytest
from django.db import connection

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from calls.models import Call
from calls.services import call_follow_up, call_record_retell_event
from org.selectors import branch_matching
from tenants.services import phone_route_add
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.calls import analyzed, signed_post
from tests.factories.org import BranchFactory, ServiceFactory
from tests.integrations.retell import test_retell_booking_functions as booking
from tests.integrations.retell.conftest import ACME_NUMBER, DANA_PHONE

CENTRAL = "+493055501009"
calcom = booking.calcom  # Acme's Cal.com stand-in, Beratung at Praxis Mitte in event type 4242


@pytest.fixture
def charlottenburg(acme):
    branch = BranchFactory(name="Charlottenburg", address="Kantstraße 5\n10623 Berlin")
    massage = ServiceFactory(name="Massage", branches=[branch], duration_minutes=30, price="60.00")
    EventTypeMappingFactory(service=massage, branch=branch, event_type_id=5151)
    acme.branch.address = "Hauptstraße 1, 10115 Berlin"
    acme.branch.save(update_fields=["address"])
    return branch


@pytest.fixture
def central(acme, charlottenburg):
    phone_route_add(company=acme.company, number=CENTRAL, branch_id=None)
    return CENTRAL


@pytest.fixture
def call_acme(call_function, acme):
    """A signed function request, after which the test reads Acme's schema again."""

    def run(name: str, args: dict, *, call_id: str, to_number: str) -> dict:
        reply = call_function(name, args, call_id=call_id, to_number=to_number)
        connection.set_tenant(acme.company)
        return reply

    return run


@pytest.fixture
def on_central(call_acme, central):
    return partial(call_acme, call_id="call_central", to_number=CENTRAL)


def test_the_agent_learns_every_branch_with_address_and_services(acme, central, retell_client, clock):
    body = {
        "event": "call_inbound",
        "call_inbound": {"agent_id": "agent_1", "from_number": DANA_PHONE, "to_number": CENTRAL},
    }
    found = signed_post(retell_client, "/webhooks/retell/inbound/", body).json()["call_inbound"]

    variables = found["dynamic_variables"]
    assert (variables["central_line"], variables["branch_needed"], variables["branch_name"]) == (
        "true",
        "true",
        "",
    )
    assert variables["branch_names"] == "Charlottenburg, Praxis Mitte"
    assert variables["branches"] == (
        "Charlottenburg (Kantstraße 5 10623 Berlin): Massage; "
        "Praxis Mitte (Hauptstraße 1, 10115 Berlin): Beratung, Zahnreinigung"
    )
    assert found["metadata"]["branch_id"] is None


def test_a_branch_number_still_names_its_branch(acme, central, retell_client, clock):
    body = {
        "event": "call_inbound",
        "call_inbound": {"agent_id": "agent_1", "from_number": DANA_PHONE, "to_number": ACME_NUMBER},
    }
    variables = signed_post(retell_client, "/webhooks/retell/inbound/", body).json()["call_inbound"][
        "dynamic_variables"
    ]
    assert (variables["central_line"], variables["branch_needed"], variables["branch_name"]) == (
        "false",
        "false",
        "Praxis Mitte",
    )


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("check_availability", {"service": "Beratung", "date": "morgen"}),
        ("find_next_available", {"service": "Beratung"}),
        ("reserve_slot", {"service": "Beratung", "datetime": "2026-03-05T10:00:00+01:00"}),
        ("book_appointment", {"service": "Beratung", "datetime": "2026-03-05T10:00:00+01:00"}),
        ("get_opening_hours", {}),
        ("request_callback", {"reason": "Rechnung"}),
    ],
)
def test_without_a_branch_the_central_line_asks_which_one_and_guesses_nothing(
    calcom, on_central, function, args
):
    reply = on_central(function, args)

    assert (reply["ok"], reply["status"], reply["field"]) == (False, "branch_needed", "branch")
    assert reply["message"] == "Welche unserer Filialen meinen Sie: Charlottenburg oder Praxis Mitte?"
    assert [branch["name"] for branch in reply["branches"]] == ["Charlottenburg", "Praxis Mitte"]
    assert not calcom.requests_to("/v2/slots") and not calcom.requests_to("/v2/bookings")
    assert not Appointment.objects.exists() and not CallbackRequest.objects.exists()


def test_a_branch_named_in_the_call_books_there_in_its_own_event_type(calcom, on_central, charlottenburg):
    offered = on_central(
        "check_availability", {"service": "Massage", "date": "morgen", "filiale": "Charlottenburg"}
    )
    assert offered["status"] == "available"
    assert calcom.requests_to("/v2/slots")[-1].query["eventTypeId"] == "5151"

    booked = on_central(
        "book_appointment",
        {
            "service": "Massage",
            "datetime": "2026-03-05T10:00:00+01:00",
            "branch": "die Filiale in Charlottenburg",
        },
    )

    assert (booked["ok"], booked["status"]) == (True, "booked")
    appointment = Appointment.objects.get()
    assert (appointment.branch, appointment.service.name) == (charlottenburg, "Massage")
    assert Call.objects.get(retell_call_id="call_central").branch == charlottenburg, "the call names it now"


def test_once_named_the_branch_holds_for_the_rest_of_the_call(calcom, on_central, charlottenburg):
    on_central("get_opening_hours", {"branch": "charlottenburg"})

    reply = on_central("find_next_available", {"service": "Massage"})

    assert reply["status"] == "available"


def test_a_branch_nobody_has_is_asked_again_with_the_branches(calcom, on_central):
    reply = on_central("check_availability", {"service": "Beratung", "date": "morgen", "branch": "Spandau"})

    assert (reply["status"], reply["field"]) == ("unknown_branch", "branch")
    assert "Spandau" in reply["message"] and "Charlottenburg oder Praxis Mitte" in reply["message"]


def test_a_callback_from_the_central_line_goes_to_the_named_branch(calcom, on_central, charlottenburg):
    reply = on_central("request_callback", {"reason": "Befund besprechen", "branch": "CHARLOTTENBURG"})

    assert reply["status"] == "created"
    assert CallbackRequest.objects.get().branch == charlottenburg


def test_a_branch_number_works_as_before_and_may_name_another_branch(calcom, call_acme, acme, charlottenburg):
    run = partial(call_acme, call_id="call_branch", to_number=ACME_NUMBER)
    assert run("check_availability", {"service": "Beratung", "date": "morgen"})["status"] == "available"

    reply = run("check_availability", {"service": "Massage", "date": "morgen", "branch": "Charlottenburg"})

    assert reply["status"] == "available"
    assert Call.objects.get(retell_call_id="call_branch").branch == acme.branch, "the number's branch stays"


@pytest.mark.parametrize(
    "spoken", ["Köpenick", "koepenick", "KÖPENICK", "die Filiale in Köpenick", "Praxis Köpenick"]
)
def test_branch_names_are_matched_the_way_people_say_them(acme, spoken):
    koepenick = BranchFactory(name="Praxis Köpenick")

    assert branch_matching(spoken) == [koepenick]


def test_a_name_several_branches_share_matches_them_all(acme):
    east, west = BranchFactory(name="Nord-Ost"), BranchFactory(name="Nord-West")

    assert set(branch_matching("Nord")) == {east, west}
    assert branch_matching("Nord West") == [west]
    assert branch_matching("Spandau") == []


def _analysed_on_central(call_id: str, **data):
    return call_record_retell_event(
        event="call_analyzed",
        data=analyzed(call_id, to_number=CENTRAL, successful=False, **data),
        branch_id=None,
    )


def test_the_follow_up_of_a_central_call_goes_to_the_branch_it_named(calcom, on_central, charlottenburg):
    on_central("get_opening_hours", {"branch": "Charlottenburg"})

    callback = call_follow_up(call=_analysed_on_central("call_central"))

    assert callback.branch == charlottenburg
    assert "branch_unconfirmed" not in callback.metadata


def test_the_follow_up_of_a_central_call_that_named_no_branch_is_marked_for_staff_to_ask(
    acme, central, company_settings
):
    callback = call_follow_up(call=_analysed_on_central("call_silent"))

    assert callback.metadata["branch_unconfirmed"] is True
    assert callback.notes.startswith("Called the central number without naming a branch")


def test_the_central_branch_setting_takes_the_follow_up_of_a_central_call(
    acme, central, charlottenburg, company_settings
):
    company_settings(CENTRAL_BRANCH_ID=charlottenburg.pk)

    callback = call_follow_up(call=_analysed_on_central("call_silent"))

    assert callback.branch == charlottenburg
    assert "branch_unconfirmed" not in callback.metadata
