"""A day in a five-branch clinic (issue 12, "Done when"), through the doors production uses.

Acme runs a clinic with five branches, each open Monday to Friday 9-18 with a number of its own: Mitte,
Charlottenburg, Kreuzberg, Pankow and Spandau. Patients also call the central number +49 30 55501009,
which belongs to no branch. Every branch offers "Beratung", booked in Cal.com (the stand-in) in an event
type of its own (4201 ... 4205). Anna works at Mitte only, Ben at Charlottenburg and Kreuzberg, Carla at
Charlottenburg, Dora at Kreuzberg, Emil at Pankow and Spandau; each branch has a manager of its own.

On Wednesday 4 March 2026 (the `clock`), starting at 10:00:
- Dana calls the central number, is asked which branch, says "Charlottenburg" and books Beratung there for
  Thursday 10:00 (event type 4202); she hears about it by SMS, and is reminded on Thursday at 08:00.
- Felix calls Mitte's number and books Beratung at Mitte (4201); Greta calls Mitte's number for a callback,
  which goes to Anna.
- Hugo calls the central number and asks for a callback from "die Filiale in Pankow": Emil gets it.
- Jana and Karl call Charlottenburg's number for callbacks: Ben and Carla take one each.
- Ines books online in Cal.com, in Kreuzberg's event type (signed BOOKING_CREATED): it lands at Kreuzberg.
Then Mia, Charlottenburg's manager, enters Carla's holiday in the admin, and Carla's callback moves to Ben
with the reason; and Anna works her list in Chromium (German) without ever seeing Charlottenburg's
callbacks, appointments, calls or patients, and completes Greta's callback.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from appointments.services import event_type_map
from callbacks.models import CallbackRequest
from calls.models import Call
from common.messages import render_message
from common.phone import phone_display
from common.redis import get_redis
from integrations.calcom.signature import calcom_signature
from notifications.models import Channel, NotificationDelivery
from notifications.tasks import dispatch_due
from org.models import Absence, Branch, Service, Staff
from org.roles import Role
from policies.selectors import policy_cache_invalidate
from tenants.models import Company
from tenants.services import phone_route_add
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import log_in, screenshot
from tests.conftest import tenant_host
from tests.factories.calls import call_object, signed_post
from tests.factories.org import BranchFactory, ServiceFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.notifications.fakes import FakeTwilio
from tests.personas import BERLIN, acme_person

# The German admin and Chromium of the browser tests (a live server on Acme's host, one page per test).
_compiled_catalogue = browser_fixtures._compiled_catalogue
_german_catalogue = browser_fixtures._german_catalogue
acme_rows, acme_url, page = browser_fixtures.acme_rows, browser_fixtures.acme_url, browser_fixtures.page

CENTRAL = "+493055501009"
BRANCHES = {  # name: (the branch's own number, Beratung's Cal.com event type there)
    "Mitte": ("+4930901820", 4201),
    "Charlottenburg": ("+4930901821", 4202),
    "Kreuzberg": ("+4930901822", 4203),
    "Pankow": ("+4930901823", 4204),
    "Spandau": ("+4930901824", 4205),
}
PATIENTS = {
    "Dana Ruiz": "+4915112345678",
    "Felix Fuchs": "+4915112345001",
    "Greta Grün": "+4915112345002",
    "Hugo Hahn": "+4915112345003",
    "Jana Jung": "+4915112345004",
    "Karl Kurz": "+4915112345005",
    "Ines Igel": "+4915112345006",
}
THURSDAY = datetime(2026, 3, 5, tzinfo=BERLIN)
DANAS_TIME = THURSDAY.replace(hour=10)
FELIX_TIME = THURSDAY.replace(hour=11)
INES_TIME = datetime(2026, 3, 6, 9, 30, tzinfo=BERLIN)
CALCOM_SECRET = "whsec-clinic"
TWILIO_SID, TWILIO_TOKEN, SMS_SENDER = "AC" + "2" * 32, "clinic-auth-token", "+4915100000009"


@dataclass
class Clinic:
    company: Company
    branches: dict[str, Branch]
    beratung: Service
    people: dict[str, Staff]
    calcom: CalcomStandIn


def _forget_redis_state(schema: str) -> None:
    for key in get_redis().scan_iter(f"sb:{schema}:*"):
        get_redis().delete(key)


@pytest.fixture
def calcom(company, settings):
    """The clinic's Cal.com, played by the stand-in (its own rate-limit budget and Redis state per test)."""
    server = CalcomStandIn().start()
    company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    company.calcom_webhook_secret = CALCOM_SECRET
    company.save(update_fields=["calcom_api_key", "calcom_webhook_secret"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {"base_url": server.url, "connect_timeout": 0.5, "read_timeout": 1.0, "attempts": 2},
    }
    _forget_redis_state(company.schema_name)
    policy_cache_invalidate()
    yield server
    server.stop()
    connection.set_tenant(company)
    _forget_redis_state(company.schema_name)
    policy_cache_invalidate()


@pytest.fixture
def clinic(company, calcom, clock) -> Clinic:
    """Five branches with their numbers and event types, the central number of no branch, the people."""
    branches = {name: BranchFactory(name=name) for name in BRANCHES}
    beratung = ServiceFactory(name="Beratung", duration_minutes=30, branches=list(branches.values()))
    for name, (number, event_type) in BRANCHES.items():
        phone_route_add(company=company, number=number, branch_id=branches[name].pk)
        event_type_map(branch=branches[name], service=beratung, event_type_id=event_type)
    phone_route_add(company=company, number=CENTRAL, branch_id=None)
    connection.set_tenant(company)

    def staff(name: str, *where: str) -> Staff:
        return acme_person(name, Role.STAFF, *(branches[b] for b in where), services=[beratung])

    def manager(name: str, where: str) -> Staff:
        return acme_person(name, Role.MANAGER, branches[where], accepts_callbacks=False)

    people = {
        "anna": staff("Anna", "Mitte"),
        "ben": staff("Ben", "Charlottenburg", "Kreuzberg"),
        "carla": staff("Carla", "Charlottenburg"),
        "dora": staff("Dora", "Kreuzberg"),
        "emil": staff("Emil", "Pankow", "Spandau"),
        "max": manager("Max", "Mitte"),
        "mia": manager("Mia", "Charlottenburg"),
        "kai": manager("Kai", "Kreuzberg"),
        "pia": manager("Pia", "Pankow"),
        "ole": manager("Ole", "Spandau"),
    }
    return Clinic(company, branches, beratung, people, calcom)


class Outside:
    """The clinic's doors as the world reaches them: Retell (signed) and Cal.com (signed), on the public
    host. What a request queues after its commit runs before the answer is read (eager tasks)."""

    def __init__(self, company: Company, run_on_commit) -> None:
        self.company, self.run_on_commit = company, run_on_commit
        self.client = Client(HTTP_HOST="localhost")

    def _post(self, send):
        with self.run_on_commit(execute=True):
            response = send()
        connection.set_tenant(self.company)
        return response

    def call_begins(self, *, caller: str, number: str) -> dict:
        body = {
            "event": "call_inbound",
            "call_inbound": {"agent_id": "agent_1", "from_number": caller, "to_number": number},
        }
        response = self._post(lambda: signed_post(self.client, "/webhooks/retell/inbound/", body))
        assert response.status_code == 200, response.content
        return response.json()["call_inbound"]

    def agent(self, function: str, args: dict, *, call_id: str, caller: str, number: str) -> dict:
        """One in-call function, as Retell's agent calls it during `call_id`."""
        body = {
            "name": function,
            "args": args,
            "call": call_object(call_id, to_number=number, from_number=caller),
        }
        response = self._post(lambda: signed_post(self.client, "/webhooks/retell/functions/", body))
        assert response.status_code == 200, response.content
        return response.json()

    def books_online(self, *, uid: str, event_type: int, name: str, starts_at: datetime):
        """Cal.com's BOOKING_CREATED for a booking the patient made on the clinic's booking page."""
        start = starts_at.astimezone(UTC)
        payload = {
            "uid": uid,
            "bookingId": 9100001,
            "eventTypeId": event_type,
            "type": "beratung",
            "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endTime": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "ACCEPTED",
            "attendees": [
                {
                    "email": f"{name.split()[0].lower()}@example.test",
                    "name": name,
                    "timeZone": "Europe/Berlin",
                    "phoneNumber": PATIENTS[name],
                }
            ],
        }
        raw = json.dumps(
            {"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-03-04T09:00:00Z", "payload": payload}
        )
        signature = calcom_signature(raw.encode(), CALCOM_SECRET)
        return self._post(
            lambda: self.client.post(
                f"/webhooks/calcom/{self.company.slug}",
                raw.encode(),
                content_type="application/json",
                HTTP_X_CAL_SIGNATURE_256=signature,
            )
        )


@pytest.fixture
def outside(clinic, django_capture_on_commit_callbacks) -> Outside:
    return Outside(clinic.company, django_capture_on_commit_callbacks)


def dana_books_at_charlottenburg_on_the_central_line(outside: Outside) -> tuple[dict, dict]:
    """Dana's call: asked which branch, she names Charlottenburg and books. Returns (the question, the
    booking's answer)."""
    call = {"call_id": "call_dana", "caller": PATIENTS["Dana Ruiz"], "number": CENTRAL}
    question = outside.agent("find_next_available", {"service": "Beratung"}, **call)
    booked = outside.agent(
        "book_appointment",
        {
            "service": "Beratung",
            "datetime": DANAS_TIME.isoformat(),
            "name": "Dana Ruiz",
            "branch": "Charlottenburg",
        },
        **call,
    )
    return question, booked


def the_morning(outside: Outside) -> None:
    """Everything the phones and Cal.com bring before noon (see the module's docstring)."""
    question, booked = dana_books_at_charlottenburg_on_the_central_line(outside)
    assert (question["status"], booked["status"]) == ("branch_needed", "booked"), (question, booked)

    def on(number: str, patient: str, function: str, args: dict) -> dict:
        call_id = f"call_{patient.split()[0].lower()}"
        reply = outside.agent(
            function, {"name": patient, **args}, call_id=call_id, caller=PATIENTS[patient], number=number
        )
        assert reply["ok"], reply
        return reply

    mitte, charlottenburg = BRANCHES["Mitte"][0], BRANCHES["Charlottenburg"][0]
    on(mitte, "Felix Fuchs", "book_appointment", {"service": "Beratung", "datetime": FELIX_TIME.isoformat()})
    on(mitte, "Greta Grün", "request_callback", {"reason": "Befund besprechen"})
    on(CENTRAL, "Hugo Hahn", "request_callback", {"reason": "Rezept", "branch": "die Filiale in Pankow"})
    on(charlottenburg, "Jana Jung", "request_callback", {"reason": "Rechnung"})
    on(charlottenburg, "Karl Kurz", "request_callback", {"reason": "Überweisung"})
    response = outside.books_online(
        uid="uid-ines", event_type=BRANCHES["Kreuzberg"][1], name="Ines Igel", starts_at=INES_TIME
    )
    assert response.status_code == 200, response.content


def _callbacks() -> dict[str, tuple[str, str | None]]:
    """Each patient's callback: (branch, assignee)."""
    return {
        callback.customer_name: (
            callback.branch.name,
            callback.assigned_to.name if callback.assigned_to else None,
        )
        for callback in CallbackRequest.objects.select_related("branch", "assigned_to")
    }


# --- the phones and Cal.com ------------------------------------------------------------------------------


def test_the_central_line_knows_five_branches_and_asks_before_it_books(clinic, outside):
    told = outside.call_begins(caller=PATIENTS["Dana Ruiz"], number=CENTRAL)["dynamic_variables"]
    assert (told["central_line"], told["branch_needed"]) == ("true", "true")
    assert told["branch_names"] == "Charlottenburg, Kreuzberg, Mitte, Pankow, Spandau"
    mitte = outside.call_begins(caller=PATIENTS["Felix Fuchs"], number=BRANCHES["Mitte"][0])[
        "dynamic_variables"
    ]
    assert (mitte["central_line"], mitte["branch_name"]) == ("false", "Mitte")

    question, booked = dana_books_at_charlottenburg_on_the_central_line(outside)

    assert (question["status"], question["field"]) == ("branch_needed", "branch")
    assert [branch["name"] for branch in question["branches"]] == sorted(BRANCHES)
    appointment = Appointment.objects.select_related("branch", "customer").get(pk=booked["appointment_id"])
    assert (appointment.branch.name, appointment.customer.name, appointment.starts_at) == (
        "Charlottenburg",
        "Dana Ruiz",
        DANAS_TIME,
    )
    assert clinic.calcom.booked[appointment.calcom_booking_uid]["eventTypeId"] == 4202
    assert Call.objects.get(retell_call_id="call_dana").branch.name == "Charlottenburg"


def test_the_morning_puts_every_booking_and_callback_at_its_branch(clinic, outside):
    the_morning(outside)

    booked = {
        a.customer.name: (a.branch.name, a.source)
        for a in Appointment.objects.select_related("branch", "customer")
    }
    assert booked == {
        "Dana Ruiz": ("Charlottenburg", Appointment.Source.PHONE_AGENT),
        "Felix Fuchs": ("Mitte", Appointment.Source.PHONE_AGENT),
        "Ines Igel": ("Kreuzberg", Appointment.Source.CALCOM),
    }
    event_types = sorted(booking["eventTypeId"] for booking in clinic.calcom.booked.values())
    assert event_types == [4201, 4202], "each phone booking in its branch's own event type"
    callbacks = _callbacks()
    assert callbacks["Greta Grün"] == ("Mitte", "Anna")
    assert callbacks["Hugo Hahn"] == ("Pankow", "Emil"), "named on the central line: Pankow, not a guess"
    hugos = CallbackRequest.objects.get(customer_name="Hugo Hahn")
    assert "branch_unconfirmed" not in hugos.metadata and hugos.call.to_number == CENTRAL
    assert {callbacks["Jana Jung"], callbacks["Karl Kurz"]} == {
        ("Charlottenburg", "Ben"),
        ("Charlottenburg", "Carla"),
    }
    assert set(callbacks) == {"Greta Grün", "Hugo Hahn", "Jana Jung", "Karl Kurz"}


# --- the patient who booked by phone ---------------------------------------------------------------------


@pytest.fixture
def twilio(clinic, settings):
    """The clinic's Twilio account, played by the stand-in."""
    server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, {SMS_SENDER}).start()
    company = clinic.company
    company.twilio_account_sid, company.twilio_auth_token = TWILIO_SID, TWILIO_TOKEN
    company.twilio_from_number = SMS_SENDER
    company.save()
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "NOTIFICATION_TWILIO_API_BASE_URL": server.base_url}
    yield server
    server.stop()


def test_dana_who_booked_by_phone_gets_a_confirmation_and_a_reminder(
    clinic, outside, twilio, clock, django_capture_on_commit_callbacks
):
    dana_books_at_charlottenburg_on_the_central_line(outside)

    def to_dana() -> list[str]:
        return [sms["Body"] for sms in twilio.messages if sms["To"] == PATIENTS["Dana Ruiz"]]

    def the_beat_sweeps() -> None:
        with tenant_context(clinic.company), django_capture_on_commit_callbacks(execute=True):
            dispatch_due()

    assert len(to_dana()) == 1, "the confirmation, at once"
    assert "Beratung" in to_dana()[0] and "bestätigt" in to_dana()[0]
    the_beat_sweeps()
    assert len(to_dana()) == 1, "the reminder is not due yet"

    clock.move_to(DANAS_TIME - timedelta(hours=2), tick=False)
    the_beat_sweeps()

    assert len(to_dana()) == 2 and "Erinnerung" in to_dana()[1]
    reminder = NotificationDelivery.objects.get(reminder_offset_minutes=120, channel=Channel.SMS)
    assert (reminder.status, reminder.address) == (NotificationDelivery.Status.SENT, PATIENTS["Dana Ruiz"])


# --- a staff member goes on leave ------------------------------------------------------------------------


def test_carla_goes_on_leave_and_her_callback_moves_to_ben_with_the_reason(clinic, outside):
    the_morning(outside)
    carlas = CallbackRequest.objects.get(assigned_to=clinic.people["carla"])
    holiday = {
        "staff": clinic.people["carla"].pk,
        "kind": Absence.Kind.HOLIDAY,
        "starts_on": "2026-03-04",
        "ends_on": "2026-03-13",
        "note": "",
    }

    def in_the_admin(manager: str):
        client = Client(HTTP_HOST=tenant_host(clinic.company.schema_name))
        client.force_login(clinic.people[manager].user)
        with outside.run_on_commit(execute=True):
            response = client.post("/admin/org/absence/add/", holiday)
        connection.set_tenant(clinic.company)
        return response

    refused = in_the_admin("max")
    assert refused.status_code == 200 and not Absence.objects.exists(), "Max manages Mitte, not Carla"
    response = in_the_admin("mia")

    assert response.status_code == 302, response.content.decode()[:2000]
    carlas.refresh_from_db()
    assert (carlas.assigned_to, carlas.status) == (clinic.people["ben"], CallbackRequest.Status.ASSIGNED)
    reason = render_message(carlas.assignment_reason, "de")
    assert reason.startswith("Zurück in den Pool: Carla ist abwesend (Urlaub) bis 13.03.")
    assert not CallbackRequest.objects.filter(assigned_to=clinic.people["carla"]).exists()
    assert _callbacks()["Greta Grün"] == ("Mitte", "Anna"), "other branches untouched"


# --- Anna works her list in Chromium ---------------------------------------------------------------------

CHANGELISTS = {
    "callbacks": "/admin/callbacks/callbackrequest/",
    "appointments": "/admin/appointments/appointment/",
    "calls": "/admin/calls/call/",
    "customers": "/admin/org/customer/",
}


def _refused(page, url: str, *, hidden: str) -> bool:
    """Opening another branch's object by its address: refused (403/404, or sent to the admin's start page
    as for an object that does not exist) and nothing of it shown."""
    response = page.goto(url)
    sent_away = response.status in (403, 404) or page.url == url.split("/admin/")[0] + "/admin/"
    return sent_away and hidden not in page.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anna_works_her_list_in_chromium_and_never_sees_charlottenburg(clinic, outside, page, acme_url):
    the_morning(outside)
    others = ["Dana", "Hugo", "Jana", "Karl", "Ines"]
    shown = {name: phone_display(number, "DE") for name, number in PATIENTS.items()}  # as the lists show them
    other_numbers = [shown[name] for name in PATIENTS if name.split()[0] in others]
    log_in(page, acme_url, "anna@acme.test")

    seen = {}
    for name, path in CHANGELISTS.items():
        page.goto(acme_url(path))
        screenshot(page, f"clinic-anna-{name}")
        seen[name] = page.locator("#result_list").inner_text()
    everything = " ".join(seen.values())
    assert "Greta Grün" in seen["callbacks"] and "Felix Fuchs" in seen["appointments"]
    assert shown["Greta Grün"] in seen["calls"] and shown["Felix Fuchs"] in seen["calls"]
    assert "Felix Fuchs" in seen["customers"]
    assert "Charlottenburg" not in everything and "Pankow" not in everything
    assert not [who for who in others + other_numbers if who in everything]

    dana = Appointment.objects.get(customer__name="Dana Ruiz")
    janas = CallbackRequest.objects.get(customer_name="Jana Jung")
    for url, hidden in [
        (f"/admin/callbacks/callbackrequest/{janas.pk}/change/", "Jana"),
        (f"/admin/appointments/appointment/{dana.pk}/change/", "Dana"),
        (f"/admin/calls/call/{dana.call_id}/change/", PATIENTS["Dana Ruiz"]),
        (f"/admin/org/customer/{dana.customer_id}/change/", "Dana"),
    ]:
        assert _refused(page, acme_url(url), hidden=hidden), url

    gretas = CallbackRequest.objects.get(customer_name="Greta Grün")
    page.goto(acme_url(f"/admin/callbacks/callbackrequest/{gretas.pk}/attempt/"))
    page.select_option("select[name=outcome]", "reached")
    page.click("[data-testid=action-submit]")
    page.wait_for_url(f"**/callbackrequest/{gretas.pk}/change/")
    page.get_by_role("link", name="Als erledigt markieren").first.click()
    page.fill("textarea[name=note]", "Befund besprochen, alles in Ordnung")
    page.click("[data-testid=action-submit]")
    page.wait_for_url(f"**/callbackrequest/{gretas.pk}/change/")
    screenshot(page, "clinic-anna-completed")

    assert "Erledigt" in page.locator("[data-testid=timeline]").inner_text()
    gretas.refresh_from_db()
    assert (gretas.status, gretas.assigned_to) == (CallbackRequest.Status.COMPLETED, clinic.people["anna"])
