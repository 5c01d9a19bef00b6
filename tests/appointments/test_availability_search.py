"""Searching availability and alternatives against the company's (stand-in) Cal.com calendar."""

from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.availability import TimeWish
from appointments.selectors import (
    SlotQuery,
    alternatives_for,
    availability_search,
    event_type_for,
    services_without_event_type,
)
from tests.appointments.conftest import BERLIN, EVENT_TYPE, next_weekday_at
from tests.factories.appointments import AppointmentFactory, EventTypeMappingFactory
from tests.factories.org import BranchFactory, ClosureFactory, ServiceFactory


def local_times(slots, tz=BERLIN):
    return [slot.start.astimezone(tz).time() for slot in slots]


def test_a_search_offers_free_slots_of_the_wished_time_of_day(calcom, haircut, mitte, jonas):
    monday = next_weekday_at(0, 0).date()

    slots = availability_search(
        SlotQuery(haircut, mitte, customer=jonas),
        first_day=monday,
        last_day=monday,
        wish=TimeWish(earliest=time(16)),
    )

    assert local_times(slots) == [time(16), time(16, 30), time(17), time(17, 30)]
    (asked,) = calcom.requests_to("/v2/slots")
    assert asked.query["eventTypeId"] == str(EVENT_TYPE)


def test_closed_days_offer_nothing_even_when_calcom_has_slots(calcom, haircut, mitte):
    monday = next_weekday_at(0, 0).date()
    ClosureFactory(branch=mitte, starts_on=monday, ends_on=monday, reason="Betriebsausflug")

    slots = availability_search(
        SlotQuery(haircut, mitte), first_day=monday, last_day=monday + timedelta(days=1)
    )

    assert {slot.start.astimezone(BERLIN).date() for slot in slots} == {monday + timedelta(days=1)}


def test_a_search_reaches_at_most_ninety_days_ahead(calcom, haircut, mitte):
    today = timezone.now().astimezone(BERLIN).date()

    with pytest.raises(ValidationError) as too_far:
        availability_search(SlotQuery(haircut, mitte), first_day=today, last_day=today + timedelta(days=91))
    with pytest.raises(ValidationError) as past:
        availability_search(SlotQuery(haircut, mitte), first_day=today - timedelta(days=1), last_day=today)

    assert "last_day" in too_far.value.message_dict
    assert "first_day" in past.value.message_dict
    assert calcom.seen == []


def test_a_branch_in_another_timezone_offers_only_its_own_opening_hours(calcom, company):
    new_york = BranchFactory(name="Manhattan", timezone="America/New_York")
    service = ServiceFactory(branches=[new_york])
    EventTypeMappingFactory(service=service, event_type_id=EVENT_TYPE)
    monday = next_weekday_at(0, 0).date()

    slots = availability_search(SlotQuery(service, new_york), first_day=monday, last_day=monday)

    ny = ZoneInfo("America/New_York")
    assert local_times(slots, ny)[0] == time(9), "09:00 in New York is 15:00 in Berlin, inside both calendars"
    assert local_times(slots, ny)[-1] == time(11, 30), "Berlin's calendar closes at 18:00 = 12:00 in New York"
    assert calcom.requests_to("/v2/slots")[0].query["timeZone"] == "America/New_York"
    assert calcom.requests_to("/v2/slots")[0].query["start"] == f"{monday.isoformat()}T05:00:00Z"


def test_alternatives_to_a_taken_time_avoid_the_customers_own_appointments(calcom, haircut, mitte, jonas):
    wanted = next_weekday_at(0, 10)
    calcom.book({"start": wanted.astimezone(UTC).isoformat(), "eventTypeId": EVENT_TYPE})
    AppointmentFactory(
        customer=jonas, service=haircut, branch=mitte, starts_at=wanted - timedelta(minutes=30)
    )

    offered = alternatives_for(SlotQuery(haircut, mitte, customer=jonas), wanted=wanted)

    assert [slot.start for slot in offered] == [
        wanted + timedelta(minutes=30),
        wanted - timedelta(minutes=60),  # 09:30 would be as close, but Jonas is busy then
        wanted + timedelta(minutes=60),
    ]


def test_a_staff_members_own_event_type_wins_over_the_services(company, haircut, anna, mitte):
    EventTypeMappingFactory(service=haircut, staff=anna, event_type_id=5555)

    assert event_type_for(service=haircut, branch=mitte, staff=anna) == 5555
    assert event_type_for(service=haircut, branch=mitte) == EVENT_TYPE


def test_a_service_without_event_type_is_listed_and_cannot_be_searched(calcom, mitte):
    colouring = ServiceFactory(name="Färben", branches=[mitte])
    monday = next_weekday_at(0, 0).date()

    with pytest.raises(ValidationError) as unmapped:
        availability_search(SlotQuery(colouring, mitte), first_day=monday, last_day=monday)

    assert "Färben" in unmapped.value.message_dict["service"][0]
    assert services_without_event_type() == [colouring]


def test_a_companys_own_client_settings_win_over_the_platforms(calcom, company, haircut, mitte):
    from integrations.calcom.client import calcom_client_for_current_company

    company.settings = {
        **company.settings,
        "CALCOM_CLIENT": {"read_timeout": 0.25, "api_versions": {"slots": "2099-01-01"}},
    }
    company.save(update_fields=["settings"])

    client = calcom_client_for_current_company()

    assert client.settings.read_timeout == 0.25
    assert client.settings.connect_timeout == 0.5, "from the platform setting"
    assert client.settings.api_versions["slots"] == "2099-01-01"
    assert client.settings.api_versions["bookings"] == "2024-08-13"


def test_the_next_free_slot_respects_the_wish(calcom, haircut, mitte, jonas):
    from appointments.selectors import next_free_slot

    slot = next_free_slot(SlotQuery(haircut, mitte, customer=jonas), wish=TimeWish.named("nachmittags"))

    assert slot is not None
    assert slot.start.astimezone(BERLIN).time() >= time(12)
    assert slot.start > timezone.now()
