from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from org.hours import WeeklyHours

BERLIN = ZoneInfo("Europe/Berlin")
MON_FRI_9_18 = {day: [(time(9), time(18))] for day in range(5)}


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


def test_breaks_do_not_count_as_open_time():
    lunch_break = {0: [(time(9), time(12)), (time(13), time(18))]}
    hours = WeeklyHours(tz=BERLIN, intervals=lunch_break)
    assert hours.add_open_time(at(2026, 11, 23, 11), timedelta(hours=2)) == at(2026, 11, 23, 14)
    assert not hours.is_open(at(2026, 11, 23, 12, 30))
    assert hours.is_open(at(2026, 11, 23, 13))


def test_open_time_is_correct_across_the_daylight_saving_change():
    every_day = {day: [(time(0), time(23, 59))] for day in range(7)}
    hours = WeeklyHours(tz=BERLIN, intervals=every_day)
    start = at(2026, 3, 29, 1)  # clocks jump from 02:00 to 03:00
    assert hours.add_open_time(start, timedelta(hours=2)) == at(2026, 3, 29, 4)


def test_branch_without_hours_runs_on_wall_clock():
    hours = WeeklyHours(tz=BERLIN)
    assert hours.add_open_time(at(2026, 11, 21, 11), timedelta(hours=4)) == at(2026, 11, 21, 15)
    assert not hours.is_open(at(2026, 11, 21, 11))


def test_next_open_is_the_next_opening_when_closed():
    hours = WeeklyHours(tz=BERLIN, intervals=MON_FRI_9_18)
    assert hours.next_open(at(2026, 11, 20, 18, 30)) == at(2026, 11, 23, 9)
    assert hours.next_open(at(2026, 11, 23, 10)) == at(2026, 11, 23, 10)


def test_open_intervals_are_clipped_to_the_range():
    hours = WeeklyHours(tz=BERLIN, intervals=MON_FRI_9_18)
    spans = list(hours.open_intervals(at(2026, 11, 20, 17), at(2026, 11, 23, 10)))
    assert spans == [
        (at(2026, 11, 20, 17), at(2026, 11, 20, 18)),
        (at(2026, 11, 23, 9), at(2026, 11, 23, 10)),
    ]


def test_open_time_on_a_day_leaves_out_breaks_and_closures():
    lunch_break = {0: [(time(9), time(12)), (time(13), time(18))]}
    monday = date(2026, 11, 23)
    hours = WeeklyHours(tz=BERLIN, intervals=lunch_break)
    assert hours.open_time_on(monday) == timedelta(hours=8)
    assert hours.open_time_on(date(2026, 11, 24)) == timedelta(0)
    closed = WeeklyHours(tz=BERLIN, intervals=lunch_break, closures=[(monday, monday)])
    assert closed.open_time_on(monday) == timedelta(0)


def test_a_branch_has_hours_only_with_some_open_span():
    assert WeeklyHours(tz=BERLIN, intervals=MON_FRI_9_18).has_hours()
    assert not WeeklyHours(tz=BERLIN, intervals={0: []}).has_hours()
