"""`manage.py simulate_call` against a live server: a scripted call arrives through the real, signed
Retell endpoints and leaves what a real call would leave (a callback request, an appointment, a
cancellation, the call with its transcript).

Acme's line and Dana (a known caller) come from tests/integrations/retell/conftest.py; its calendar is the
Cal.com stand-in (Beratung is event type 4242). The clock stands on Wednesday 4 March 2026, 10:00 Berlin.
"""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from calls.models import Call
from integrations.calcom.services import calcom_event_process
from integrations.calcom.standin import CalcomStandIn
from integrations.calcom.standin_shapes import StandInAccount
from integrations.models import WebhookEvent
from policies.selectors import policy_cache_invalidate
from tenants.services import phone_route_add
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.org import BranchFactory
from tests.integrations.retell.conftest import ACME_NUMBER, DANA_PHONE

CENTRAL = "+493055501009"


@pytest.fixture
def calcom(acme, settings, clock):
    server = CalcomStandIn().start()
    acme.company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.company.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {**settings.SWITCHBOARD.get("CALCOM_CLIENT", {}), "base_url": server.url},
    }
    EventTypeMappingFactory(service=acme.branch.services.get(name="Beratung"), event_type_id=4242)
    policy_cache_invalidate()
    yield server
    server.stop()
    policy_cache_invalidate()


@pytest.fixture
def simulate(live_server, capsys):
    def run(script: str, *args: str) -> str:
        call_command("simulate_call", script, "--number", ACME_NUMBER, "--url", live_server.url, *args)
        return capsys.readouterr().out

    return run


def test_a_callback_call_leaves_a_callback_request_and_the_call(acme, clock, simulate):
    out = simulate("callback")
    assert "done: callback request" in out
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get()
        assert str(callback.phone) == DANA_PHONE and callback.branch == acme.branch
        call = Call.objects.get()
        assert call.retell_call_id.startswith("call_sim_") and "Rückruf" in call.transcript
        assert (call.status, call.stage) == ("ended", Call.Stage.ANALYZED)
        events = WebhookEvent.objects.filter(source="retell").values_list("event", "status")
        assert set(events) == {(e, "processed") for e in ("call_started", "call_ended", "call_analyzed")}


def test_a_booking_call_books_the_first_free_time_then_a_cancellation_cancels_it(acme, calcom, simulate):
    out = simulate("booking", "--service", "Beratung")
    assert "done: appointment" in out, out
    with tenant_context(acme.company):
        appointment = Appointment.objects.get()
        assert (appointment.customer, appointment.source) == (acme.customer, "phone_agent")
    assert "done: appointment" in simulate("cancellation")
    with tenant_context(acme.company):
        appointment.refresh_from_db()
        assert appointment.status == "cancelled"


def test_a_booking_call_without_a_calendar_leaves_a_callback_request(acme, calcom, simulate):
    out = simulate("booking", "--service", "Zahnreinigung")  # not mapped to a Cal.com event type
    assert "no calendar to book in; callback request" in out
    with tenant_context(acme.company):
        assert CallbackRequest.objects.count() == 1 and not Appointment.objects.exists()


def test_on_the_central_line_the_caller_names_the_first_branch_offered(acme, clock, live_server):
    BranchFactory(name="Charlottenburg")
    phone_route_add(company=acme.company, number=CENTRAL, branch_id=None)
    call_command("simulate_call", "callback", "--number", CENTRAL, "--url", live_server.url)
    with tenant_context(acme.company):
        assert CallbackRequest.objects.get().branch.name in {"Charlottenburg", "Praxis Mitte"}


def test_the_call_is_signed_with_the_companys_own_retell_key(acme, clock, simulate):
    acme.company.retell_api_key = "key_acme_own_retell_account"
    acme.company.save(update_fields=["retell_api_key"])
    assert "done: callback request" in simulate("callback")


def test_an_unknown_number_or_a_failed_script_is_an_error(acme, calcom, simulate, live_server):
    with pytest.raises(CommandError, match="no company answers"):
        call_command("simulate_call", "callback", "--number", "+49 89 1234567", "--url", live_server.url)
    with pytest.raises(CommandError, match="no upcoming appointment"):
        simulate("cancellation")


@pytest.fixture
def demo_calendar(acme, settings, clock, live_server):
    """Acme's Cal.com is the stand-in `make run` serves: it sends its signed webhooks to the live server."""
    acme.company.calcom_api_key, acme.company.calcom_webhook_secret = "cal_demo_acme", "demo-secret-acme"
    acme.company.save(update_fields=["calcom_api_key", "calcom_webhook_secret"])
    account = StandInAccount(
        api_key="cal_demo_acme",
        username="acme",
        user_id=1,
        webhook_url=f"{live_server.url}/webhooks/calcom/{acme.company.slug}",
        webhook_secret="demo-secret-acme",
    )
    beratung = {"id": 4242, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30, "ownerId": 1}
    server = CalcomStandIn(accounts=[account], event_types=[beratung]).start()
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "CALCOM_CLIENT": {"base_url": server.url}}
    EventTypeMappingFactory(service=acme.branch.services.get(name="Beratung"), event_type_id=4242)
    policy_cache_invalidate()
    yield server
    server.stop()
    policy_cache_invalidate()


def test_in_the_demo_a_booking_call_books_in_the_standin_whose_webhooks_echo_back(
    acme, demo_calendar, simulate
):
    assert "done: appointment" in simulate("booking", "--service", "Beratung")
    assert "done: appointment" in simulate("cancellation")

    with tenant_context(acme.company):
        appointment = Appointment.objects.get()
        assert appointment.status == "cancelled" and Call.objects.count() == 2
        # The booking's echo came while the booking was still being saved: the worker's retry (here by
        # hand: tests run tasks eagerly) finds the appointment and leaves it be.
        for waiting in WebhookEvent.objects.filter(source="calcom", status="received"):
            calcom_event_process(event_id=waiting.pk)
        echoes = dict(WebhookEvent.objects.filter(source="calcom").values_list("event", "status"))
    assert demo_calendar.booked[appointment.calcom_booking_uid]["status"] == "cancelled"
    assert [(trigger, status) for trigger, _uid, status in demo_calendar.deliveries] == [
        ("BOOKING_CREATED", 200),
        ("BOOKING_CANCELLED", 200),
    ]
    assert echoes == {"BOOKING_CREATED": "ignored", "BOOKING_CANCELLED": "ignored"}, "our own changes"
