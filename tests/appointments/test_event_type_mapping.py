"""Which Cal.com event type books which service at which branch: mappings, the import, and the rules that
keep them clear."""

import pytest
from django.core.exceptions import ValidationError

from appointments.models import EventTypeMapping
from appointments.selectors import event_type_for, owner_of_event_type, services_without_event_type
from appointments.services import appointment_update, event_type_map, event_types_import
from org.models import Service
from tests.appointments.conftest import EVENT_TYPE
from tests.factories.appointments import AppointmentFactory
from tests.factories.org import BranchFactory, StaffFactory


@pytest.fixture
def charlottenburg(company):
    return BranchFactory(name="Charlottenburg")


def test_the_import_creates_a_service_for_each_unknown_event_type_at_the_chosen_branch(
    calcom, haircut, charlottenburg
):
    created = event_types_import(branch=charlottenburg)

    assert [(m.event_type_id, m.service.name, m.service.duration_minutes) for m in created] == [
        (4343, "Färben", 90)
    ]
    assert created[0].branch == charlottenburg
    assert list(created[0].service.branches.all()) == [charlottenburg], "offered where it books"
    assert Service.objects.count() == 2, "the mapped Haarschnitt is left alone"
    assert calcom.requests_to("/v2/event-types")[0].query["username"] == "acme", "asked /v2/me for it"
    assert calcom.requests_to("/v2/event-types")[0].headers["cal-api-version"] == "2024-06-14"


def test_importing_twice_changes_nothing(calcom, haircut, mitte):
    event_types_import(branch=mitte, username="acme")

    assert event_types_import(branch=mitte, username="acme") == []
    assert EventTypeMapping.objects.count() == 2


def test_mapping_a_service_again_at_its_branch_replaces_its_event_type(company, haircut, mitte):
    event_type_map(branch=mitte, service=haircut, event_type_id=5151)

    assert list(EventTypeMapping.objects.values_list("event_type_id", flat=True)) == [5151]


def test_an_event_type_can_book_only_one_service_at_one_branch(company, haircut, mitte, charlottenburg):
    other = Service.objects.create(name="Bart")
    other.branches.add(mitte)
    haircut.branches.add(charlottenburg)

    for branch, service in ((mitte, other), (charlottenburg, haircut)):
        with pytest.raises(ValidationError) as refused:
            event_type_map(branch=branch, service=service, event_type_id=EVENT_TYPE)
        assert "event_type_id" in refused.value.message_dict


def test_each_branch_books_the_service_in_its_own_event_type(company, haircut, mitte, charlottenburg):
    haircut.branches.add(charlottenburg)
    anna = StaffFactory(name="Anna", branches=[charlottenburg], services=[haircut])
    event_type_map(branch=charlottenburg, service=haircut, event_type_id=5151)
    event_type_map(branch=charlottenburg, service=haircut, staff=anna, event_type_id=5252)

    assert event_type_for(service=haircut, branch=mitte) == EVENT_TYPE
    assert event_type_for(service=haircut, branch=charlottenburg) == 5151
    assert event_type_for(service=haircut, branch=charlottenburg, staff=anna) == 5252
    assert owner_of_event_type(5252).branch == charlottenburg
    assert owner_of_event_type(5252).staff == anna
    assert owner_of_event_type(EVENT_TYPE).branch == mitte


def test_a_branch_without_its_own_event_type_cannot_book_the_service(company, haircut, charlottenburg):
    haircut.branches.add(charlottenburg)

    with pytest.raises(ValidationError) as refused:
        event_type_for(service=haircut, branch=charlottenburg)

    assert "Charlottenburg" in str(refused.value.message_dict["service"])
    assert services_without_event_type() == [haircut], "listed while one branch lacks its event type"


def test_a_mapping_needs_the_service_offered_and_the_staff_member_working_at_its_branch(
    company, haircut, mitte, charlottenburg
):
    with pytest.raises(ValidationError) as not_offered:
        event_type_map(branch=charlottenburg, service=haircut, event_type_id=5151)
    elsewhere = StaffFactory(name="Olga", branches=[charlottenburg], services=[haircut])
    with pytest.raises(ValidationError) as not_working_there:
        event_type_map(branch=mitte, service=haircut, staff=elsewhere, event_type_id=5252)

    assert "branch" in not_offered.value.message_dict
    assert "staff" in not_working_there.value.message_dict


def test_a_services_own_event_type_names_a_branch_only_when_one_branch_offers_it(
    company, mitte, charlottenburg
):
    single = Service.objects.create(name="Bart", calcom_event_type_id=6161)
    single.branches.add(mitte)
    shared = Service.objects.create(name="Färben", calcom_event_type_id=6262)
    shared.branches.add(mitte, charlottenburg)

    assert owner_of_event_type(6161).branch == mitte
    assert owner_of_event_type(6262).branch is None, "two branches offer it: never guessed"


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
