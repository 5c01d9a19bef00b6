"""Which slots can be offered, and which alternatives come first: pure rules, timezone edges included."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from appointments.availability import (
    AlternativeRules,
    TimeWish,
    bookable,
    fits_opening_hours,
    local_day_bounds,
    rank_alternatives,
)
from integrations.calcom.types import Slot
from org.hours import WeeklyHours

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HALF_HOUR = timedelta(minutes=30)
EVERY_DAY_9_TO_18 = {day: [(time(9), time(18))] for day in range(7)}
WEEKDAYS_9_TO_18 = {day: [(time(9), time(18))] for day in range(5)}
LONG_AGO = datetime(2020, 1, 1, tzinfo=BERLIN)


def slots_every_half_hour(day: date, tz=BERLIN, hours=(9, 18)) -> list[Slot]:
    start = datetime.combine(day, time(hours[0]), tz)
    count = (hours[1] - hours[0]) * 2
    return [Slot(start + i * HALF_HOUR) for i in range(count)]


def at(day: date, hour: int, minute: int = 0, tz=BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tz)


# --------------------------------------------------------------------------- bookable slots


def test_an_appointment_must_fit_in_one_opening_interval():
    lunch_break = WeeklyHours(BERLIN, {0: [(time(9), time(12)), (time(13), time(18))]})
    monday = date(2026, 11, 23)

    assert fits_opening_hours(lunch_break, at(monday, 11, 30), HALF_HOUR)
    assert not fits_opening_hours(lunch_break, at(monday, 11, 45), HALF_HOUR), "runs into the break"
    assert not fits_opening_hours(lunch_break, at(monday, 17, 45), HALF_HOUR), "runs past closing"


def test_closures_remove_whole_days():
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18, closures=[(date(2026, 12, 24), date(2026, 12, 26))])

    assert not fits_opening_hours(hours, at(date(2026, 12, 24), 10), HALF_HOUR)
    assert fits_opening_hours(hours, at(date(2026, 12, 23), 10), HALF_HOUR)


@pytest.mark.parametrize(
    ("wish", "expected_first", "expected_last"),
    [
        (TimeWish.named("vormittags"), time(9), time(11, 30)),
        (TimeWish.named("nachmittags"), time(12), time(17, 30)),
        (TimeWish(earliest=time(16)), time(16), time(17, 30)),
        (TimeWish(exact=time(14, 30)), time(14, 30), time(14, 30)),
    ],
    ids=["vormittags", "nachmittags", "ab 16 Uhr", "exactly 14:30"],
)
def test_slots_follow_the_wished_time_of_day(wish, expected_first, expected_last):
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)

    offered = bookable(
        slots_every_half_hour(monday), hours=hours, duration=HALF_HOUR, wish=wish, now=LONG_AGO
    )

    assert offered[0].start.timetz().replace(tzinfo=None) == expected_first
    assert offered[-1].start.timetz().replace(tzinfo=None) == expected_last


def test_an_unknown_time_of_day_names_the_field():
    with pytest.raises(ValidationError) as refused:
        TimeWish.named("mitternachts")

    assert "time_of_day" in refused.value.message_dict


def test_slots_overlapping_the_customers_own_appointments_are_never_offered():
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)
    busy = [(at(monday, 10, 15), at(monday, 11))]

    offered = {
        s.start
        for s in bookable(
            slots_every_half_hour(monday), hours=hours, duration=HALF_HOUR, busy=busy, now=LONG_AGO
        )
    }

    assert at(monday, 9, 30) in offered
    assert at(monday, 10) not in offered and at(monday, 10, 30) not in offered
    assert at(monday, 11) in offered


def test_past_slots_are_never_offered():
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)

    offered = bookable(slots_every_half_hour(monday), hours=hours, duration=HALF_HOUR, now=at(monday, 12))

    assert offered[0].start == at(monday, 12, 30)


# --------------------------------------------------------------------------- timezone edges


@pytest.mark.parametrize(
    ("day", "utc_offset_hours"),
    [(date(2026, 3, 29), 2), (date(2026, 10, 25), 1)],
    ids=["spring-forward Sunday", "fall-back Sunday"],
)
def test_opening_hours_on_a_daylight_saving_day_are_local_wall_clock_hours(day, utc_offset_hours):
    hours = WeeklyHours(BERLIN, EVERY_DAY_9_TO_18)
    start, end = local_day_bounds(day, day, hours)

    offered = bookable(slots_every_half_hour(day), hours=hours, duration=HALF_HOUR, now=LONG_AGO)

    assert len(offered) == 18
    assert offered[0].start.utcoffset() == timedelta(hours=utc_offset_hours)
    assert end - start == timedelta(hours=23 if day.month == 3 else 25)


def test_alternatives_on_a_daylight_saving_day_are_measured_on_the_wall_clock():
    spring = date(2026, 3, 29)
    hours = WeeklyHours(BERLIN, EVERY_DAY_9_TO_18)
    candidates = [Slot(at(spring, 11, 30)), Slot(at(spring, 12, 30))]

    offered = rank_alternatives(
        candidates, wanted=at(spring, 10), hours=hours, rules=AlternativeRules(limit=1)
    )

    assert offered == [Slot(at(spring, 11, 30))]


def test_same_weekday_next_week_across_the_clock_change_is_the_same_local_time():
    friday = date(2026, 3, 27)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)
    next_friday_same_time = Slot(at(friday + timedelta(days=7), 10))
    candidates = [Slot(at(friday + timedelta(days=7), 16)), next_friday_same_time]

    offered = rank_alternatives(
        candidates, wanted=at(friday, 10), hours=hours, rules=AlternativeRules(limit=1)
    )

    assert offered == [next_friday_same_time]
    assert next_friday_same_time.start.utcoffset() != at(friday, 10).utcoffset()


def test_a_booking_near_midnight_belongs_to_its_local_day():
    late_bar = WeeklyHours(BERLIN, {4: [(time(18), time(23, 59))], 5: [(time(0), time(2))]})
    friday = date(2026, 11, 27)

    assert fits_opening_hours(late_bar, at(friday, 23, 15), HALF_HOUR)
    assert not fits_opening_hours(late_bar, at(friday, 23, 45), HALF_HOUR), (
        "would cross midnight into Saturday"
    )
    assert fits_opening_hours(late_bar, at(friday + timedelta(days=1), 0, 30), HALF_HOUR)
    assert at(friday + timedelta(days=1), 0, 30).astimezone(ZoneInfo("UTC")).date() == friday


def test_a_branch_in_another_timezone_uses_its_own_opening_hours():
    new_york = WeeklyHours(NEW_YORK, WEEKDAYS_9_TO_18)
    monday = date(2026, 11, 23)

    assert fits_opening_hours(new_york, at(monday, 9, tz=NEW_YORK), HALF_HOUR)
    assert not fits_opening_hours(new_york, at(monday, 10, tz=BERLIN), HALF_HOUR), "04:00 in New York"
    start, _ = local_day_bounds(monday, monday, new_york)
    assert start.astimezone(ZoneInfo("UTC")).hour == 5


# --------------------------------------------------------------------------- alternatives


def test_alternatives_come_in_the_order_of_preference():
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)
    wanted = at(monday, 10)
    next_week = monday + timedelta(days=7)
    candidates = [
        Slot(at(monday + timedelta(days=3), 9)),  # only "next free"
        Slot(at(next_week, 10)),  # same weekday next week
        Slot(at(monday + timedelta(days=1), 10, 30)),  # next open day, around the same time
        Slot(at(monday, 11, 30)),  # same day, 90 min later
        Slot(at(monday, 9, 30)),  # same day, 30 min earlier
    ]

    offered = rank_alternatives(candidates, wanted=wanted, hours=hours, rules=AlternativeRules(limit=5))

    assert offered == [
        Slot(at(monday, 9, 30)),
        Slot(at(monday, 11, 30)),
        Slot(at(monday + timedelta(days=1), 10, 30)),
        Slot(at(next_week, 10)),
        Slot(at(monday + timedelta(days=3), 9)),
    ]


def test_the_next_open_day_skips_the_weekend_and_closures():
    friday = date(2026, 11, 27)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18, closures=[(date(2026, 11, 30), date(2026, 11, 30))])
    tuesday_same_time = Slot(at(date(2026, 12, 1), 15))

    offered = rank_alternatives(
        [Slot(at(date(2026, 12, 2), 9)), tuesday_same_time],
        wanted=at(friday, 15),
        hours=hours,
        rules=AlternativeRules(limit=1),
    )

    assert offered == [tuesday_same_time]


def test_no_more_alternatives_than_configured_and_never_the_wished_time_itself():
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)

    offered = rank_alternatives(
        slots_every_half_hour(monday), wanted=at(monday, 10), hours=hours, rules=AlternativeRules()
    )

    assert len(offered) == 3
    assert Slot(at(monday, 10)) not in offered
    assert offered[:2] == [Slot(at(monday, 9, 30)), Slot(at(monday, 10, 30))]


def test_nothing_beyond_fourteen_days_is_offered():
    monday = date(2026, 11, 23)
    hours = WeeklyHours(BERLIN, WEEKDAYS_9_TO_18)

    offered = rank_alternatives(
        [Slot(at(monday + timedelta(days=15), 10))],
        wanted=at(monday, 10),
        hours=hours,
        rules=AlternativeRules(),
    )

    assert offered == []
