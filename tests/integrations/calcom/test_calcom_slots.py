"""Reading free slots: parsing realistic answers, the short cache and request coalescing."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.calcom.errors import CalcomUnavailable
from integrations.calcom.types import Attendee
from tests.integrations.calcom.calcom_standin import Scripted, error_body

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)


def day(client, start=MONDAY, event_type_id=7):
    return client.slots(
        event_type_id=event_type_id, start=start, end=start + timedelta(days=1), time_zone="Europe/Berlin"
    )


def test_slots_come_back_timezone_aware_in_order(make_client):
    slots = day(make_client())

    assert len(slots) == 18
    assert slots[0].start == datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    assert slots[0].end == datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
    assert slots == sorted(slots)


def test_the_request_names_the_window_in_utc_with_the_slots_version(make_client, standin):
    day(make_client())

    (seen,) = standin.requests_to("/v2/slots")
    assert seen.headers["cal-api-version"] == "2024-09-04"
    assert seen.query["start"] == "2026-11-22T23:00:00Z"
    assert seen.query["timeZone"] == "Europe/Berlin"
    assert seen.query["eventTypeId"] == "7"


def test_a_window_ending_at_utc_midnight_does_not_grow_by_a_day(make_client, standin):
    start = datetime(2026, 11, 23, tzinfo=UTC)
    slots = make_client().slots(event_type_id=7, start=start, end=start + timedelta(days=1), time_zone="UTC")

    assert standin.requests_to("/v2/slots")[0].query["end"] == "2026-11-23T23:59:59Z"
    assert {slot.start.date() for slot in slots} == {start.date()}


@pytest.mark.parametrize(
    ("sunday", "utc_hour_of_nine"),
    [(datetime(2026, 3, 29, tzinfo=BERLIN), 7), (datetime(2026, 10, 25, tzinfo=BERLIN), 8)],
    ids=["spring-forward", "fall-back"],
)
def test_slots_across_a_daylight_saving_change_keep_local_opening_times(
    make_client, sunday, utc_hour_of_nine
):
    """On the Monday after each change 09:00 Berlin is a different UTC hour than the Friday before."""
    slots = make_client().slots(
        event_type_id=7,
        start=sunday - timedelta(days=2),
        end=sunday + timedelta(days=2),
        time_zone="Europe/Berlin",
    )
    monday = [
        slot for slot in slots if slot.start.astimezone(BERLIN).date() == (sunday + timedelta(days=1)).date()
    ]

    assert monday[0].start.astimezone(BERLIN).hour == 9
    assert monday[0].start.astimezone(UTC).hour == utc_hour_of_nine
    assert len(slots) == 36, "Friday and Monday, 18 each; nothing on the weekend"


def test_ten_concurrent_callers_cause_one_calcom_request(make_client, standin):
    standin.response_delay = 0.3
    clients = [make_client() for _ in range(10)]
    results: list[int] = []
    barrier = threading.Barrier(10)

    def ask(client) -> None:
        barrier.wait()
        results.append(len(day(client)))

    threads = [threading.Thread(target=ask, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [18] * 10
    assert len(standin.requests_to("/v2/slots")) == 1


def test_concurrent_callers_share_an_outage_instead_of_queueing_on_it(make_client, standin):
    standin.queue(*[Scripted(503, error_body(503, "ServiceUnavailableException", "down"), delay=0.2)] * 3)
    errors: list[type] = []
    barrier = threading.Barrier(5)

    def ask() -> None:
        barrier.wait()
        try:
            day(make_client(attempts=1))
        except CalcomUnavailable as exc:
            errors.append(type(exc))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(errors) == 5
    assert len(standin.requests_to("/v2/slots")) == 1


def test_the_cache_is_per_company(make_client, standin, namespace):
    day(make_client())
    day(make_client(key=lambda *parts: namespace("globex", *parts)))

    assert len(standin.requests_to("/v2/slots")) == 2


def test_a_booking_drops_the_cached_slots_of_its_event_type_only(make_client, standin):
    client = make_client()
    day(client, event_type_id=7)
    day(client, event_type_id=8)
    first = day(client, event_type_id=7)[0]

    client.create_booking(
        event_type_id=7,
        start=first.start,
        attendee=Attendee(name="Jonas", time_zone="Europe/Berlin"),
        metadata={},
    )
    after = day(client, event_type_id=7)
    day(client, event_type_id=8)

    assert first.start not in {slot.start for slot in after}
    assert len(standin.requests_to("/v2/slots")) == 3


def test_an_empty_day_is_cached_for_less_time(make_client, redis_client, namespace):
    client = make_client()
    saturday = datetime(2026, 11, 28, tzinfo=BERLIN)

    assert day(client, start=saturday) == []
    day(client)

    ttls = {redis_client.ttl(key) for key in redis_client.scan_iter(namespace("calcom", "slots", "7", "*"))}
    assert ttls == {10, 45} or ttls == {9, 45} or ttls == {10, 44}
