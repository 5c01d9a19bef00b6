"""What the system writes about a callback (why nobody could be assigned, who assigned it, the timeline, note
headings, escalation notes) is stored as message keys and read in the reader's language: Greta reads German,
Emma English, on the same callback page; a manager's email speaks the manager's language."""

from datetime import datetime

import pytest

from callbacks import services
from callbacks.models import CallbackEscalation, CallbackRequest
from notifications.models import NotificationDelivery
from org.roles import Role
from tests.admin.conftest import change_url
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.notifications import NotificationConfigurationFactory
from tests.factories.org import BranchFactory
from tests.personas import BERLIN, acme_person

SUNDAY_NOON = datetime(2026, 3, 8, 12, 0, tzinfo=BERLIN)  # Berlin Mitte is closed


@pytest.fixture
def berlin_mitte(company, clock):
    return BranchFactory(name="Berlin Mitte")  # open Monday to Friday, 9–18


@pytest.fixture
def greta(berlin_mitte):
    return acme_person("Greta", Role.MANAGER, berlin_mitte, language="de", accepts_callbacks=False)


@pytest.fixture
def emma(berlin_mitte):
    return acme_person("Emma", Role.MANAGER, berlin_mitte, language="en", accepts_callbacks=False)


@pytest.fixture
def ben(berlin_mitte):
    return acme_person("Ben", Role.STAFF, berlin_mitte)


def page(as_user, reader, callback: CallbackRequest) -> str:
    response = as_user(reader).get(change_url(callback))
    assert response.status_code == 200
    return response.content.decode()


def test_why_nobody_could_be_assigned_is_german_for_greta_and_english_for_emma(
    as_user, berlin_mitte, greta, emma, ben, clock
):
    clock.move_to(SUNDAY_NOON)
    callback = services.callback_auto_assign(callback=CallbackRequestFactory(branch=berlin_mitte))
    assert callback.status == CallbackRequest.Status.PENDING

    german, english = page(as_user, greta, callback), page(as_user, emma, callback)

    assert (
        "Niemand konnte zugewiesen werden: Berlin Mitte ist gerade geschlossen, niemand hat Dienst" in german
    )
    assert "is closed now" not in german
    assert "Nobody could be assigned: Berlin Mitte is closed now, nobody is on duty" in english
    assert "geschlossen" not in english


def test_timeline_note_headings_and_escalation_notes_follow_the_reader(
    as_user, berlin_mitte, greta, emma, ben
):
    callback = CallbackRequestFactory(branch=berlin_mitte)
    services.callback_assign(callback=callback, staff=ben, by=greta.user)
    services.callback_add_note(callback=callback, note="Ruft nach 16 Uhr zurück", by=greta.user)
    services.callback_escalate(callback=callback, reason=CallbackEscalation.Reason.MANUAL, by=greta.user)

    german, english = page(as_user, greta, callback), page(as_user, emma, callback)

    assert "zugewiesen von Greta" in german and "assigned by Greta" in english
    assert "--- Notiz von Greta ---" in german and "--- Note by Greta ---" in english
    assert "Ruft nach 16 Uhr zurück" in german and "Ruft nach 16 Uhr zurück" in english
    assert (
        "niemand sonst konnte übernehmen (sonst kommt in Berlin Mitte niemand infrage); bleibt bei Ben"
        in german
    )
    assert "nobody else could take it (nobody else at Berlin Mitte is eligible); stays with Ben" in english
    assert '"key"' not in german + english  # no stored form leaks onto the page


def test_a_managers_email_says_why_in_the_managers_language(berlin_mitte, greta, emma, ben, clock):
    NotificationConfigurationFactory(
        event="callback.unassignable",
        channel="email",
        body_de="Grund: {{callback_reason}}",
        body_en="Reason: {{callback_reason}}",
    )
    clock.move_to(SUNDAY_NOON)
    services.callback_auto_assign(callback=CallbackRequestFactory(branch=berlin_mitte))

    emails = NotificationDelivery.objects.filter(event_type__key="callback.unassignable", channel="email")
    bodies = {row.staff.name: row.body for row in emails}
    assert bodies == {
        "Greta": "Grund: Berlin Mitte ist gerade geschlossen, niemand hat Dienst",
        "Emma": "Reason: Berlin Mitte is closed now, nobody is on duty",
    }


def test_what_the_system_did_itself_names_the_system_in_the_readers_language(
    as_user, berlin_mitte, greta, emma, ben
):
    callback = services.callback_assign(callback=CallbackRequestFactory(branch=berlin_mitte), staff=ben)
    services.callback_cancel(callback=callback, reason="Kunde hat selbst gebucht")

    assert "Storniert von System" in page(as_user, greta, callback)
    assert "Cancelled by system" in page(as_user, emma, callback)
