"""Which Cal.com event type books which service: mappings, the import, and the rules that keep them clear."""

import pytest
from django.core.exceptions import ValidationError

from appointments.models import EventTypeMapping
from appointments.services import appointment_update, event_type_map, event_types_import
from org.models import Service
from tests.appointments.conftest import EVENT_TYPE
from tests.factories.appointments import AppointmentFactory


def test_the_import_creates_a_service_for_each_unknown_event_type(calcom, haircut):
    created = event_types_import()

    assert [(m.event_type_id, m.service.name, m.service.duration_minutes) for m in created] == [
        (4343, "Färben", 90)
    ]
    assert Service.objects.count() == 2, "the mapped Haarschnitt is left alone"
    assert calcom.requests_to("/v2/event-types")[0].query["username"] == "acme", "asked /v2/me for it"
    assert calcom.requests_to("/v2/event-types")[0].headers["cal-api-version"] == "2024-06-14"


def test_importing_twice_changes_nothing(calcom, haircut):
    event_types_import(username="acme")

    assert event_types_import(username="acme") == []
    assert EventTypeMapping.objects.count() == 2


def test_mapping_a_service_again_replaces_its_event_type(company, haircut):
    event_type_map(service=haircut, event_type_id=5151)

    assert list(EventTypeMapping.objects.values_list("event_type_id", flat=True)) == [5151]


def test_an_event_type_can_book_only_one_service(company, haircut):
    other = Service.objects.create(name="Bart")

    with pytest.raises(ValidationError) as refused:
        event_type_map(service=other, event_type_id=EVENT_TYPE)

    assert "event_type_id" in refused.value.message_dict


def test_updating_notes_tells_subscribers_what_changed(company, haircut, mitte):
    from common.events import subscribe, unsubscribe

    appointment = AppointmentFactory(service=haircut, branch=mitte)
    seen = []
    subscribe("appointment.updated", seen.append)
    try:
        appointment_update(appointment=appointment, notes="Bring photos")
        appointment_update(appointment=appointment, notes="Bring photos")
    finally:
        unsubscribe("appointment.updated", seen.append)

    assert [event["changed"] for event in seen] == [["notes"]]
    with pytest.raises(ValidationError):
        appointment_update(appointment=appointment, starts_at=None)
