"""The SLA clock on opening hours (pure: org.hours.WeeklyHours, no database)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks.sla import add_business_time, open_time_between, reassign_due, sla_deadline
from org.hours import WeeklyHours

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_TO_18 = {day: [(time(9), time(18))] for day in range(5)}
# Friday 2026-03-06, Saturday 03-07, Monday 03-09.
FRIDAY_17 = datetime(2026, 3, 6, 17, 0, tzinfo=BERLIN)


def hours(closures=()):
    return WeeklyHours(tz=BERLIN, intervals=WEEKDAYS_9_TO_18, closures=list(closures))


def test_normal_callback_created_friday_evening_is_due_monday_not_saturday():
    due = sla_deadline(budget=timedelta(hours=24), created_at=FRIDAY_17, hours=hours())
    assert due == datetime(2026, 3, 9, 17, 0, tzinfo=BERLIN)


def test_urgent_callback_late_on_friday_runs_on_open_hours_into_monday():
    created = datetime(2026, 3, 6, 17, 30, tzinfo=BERLIN)
    due = sla_deadline(budget=timedelta(hours=2), created_at=created, hours=hours())
    assert due == datetime(2026, 3, 9, 10, 30, tzinfo=BERLIN)


def test_urgent_callback_within_opening_hours_is_due_two_hours_later():
    created = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)
    assert sla_deadline(budget=timedelta(hours=2), created_at=created, hours=hours()) == created + timedelta(
        hours=2
    )


def test_callback_created_on_the_weekend_starts_counting_on_monday_morning():
    created = datetime(2026, 3, 7, 11, 0, tzinfo=BERLIN)
    due = sla_deadline(budget=timedelta(hours=4), created_at=created, hours=hours())
    assert due == datetime(2026, 3, 9, 13, 0, tzinfo=BERLIN)


def test_closure_days_are_skipped_like_weekends():
    closed_monday = [(date(2026, 3, 9), date(2026, 3, 9))]
    due = sla_deadline(budget=timedelta(hours=24), created_at=FRIDAY_17, hours=hours(closed_monday))
    assert due == datetime(2026, 3, 10, 17, 0, tzinfo=BERLIN)


def test_preferred_window_moves_the_clock_start_to_the_window():
    window_start = datetime(2026, 3, 10, 14, 0, tzinfo=BERLIN)
    due = sla_deadline(
        budget=timedelta(hours=2), created_at=FRIDAY_17, hours=hours(), window_start=window_start
    )
    assert due == datetime(2026, 3, 10, 16, 0, tzinfo=BERLIN)


def test_preferred_window_in_the_past_does_not_move_the_deadline_earlier():
    window_start = FRIDAY_17 - timedelta(days=1)
    with_window = sla_deadline(
        budget=timedelta(hours=4), created_at=FRIDAY_17, hours=hours(), window_start=window_start
    )
    assert with_window == sla_deadline(budget=timedelta(hours=4), created_at=FRIDAY_17, hours=hours())


def test_branch_without_opening_hours_runs_on_wall_time():
    no_hours = WeeklyHours(tz=BERLIN)
    assert add_business_time(FRIDAY_17, timedelta(hours=24), no_hours) == FRIDAY_17 + timedelta(hours=24)


def test_business_day_keeps_the_local_time_across_a_dst_change():
    # Clocks go forward on Sunday 2026-03-29.
    friday = datetime(2026, 3, 27, 10, 0, tzinfo=BERLIN)
    due = add_business_time(friday, timedelta(hours=24), hours())
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 10, 0)


def test_open_time_between_counts_only_opening_hours():
    assert open_time_between(FRIDAY_17, datetime(2026, 3, 9, 17, 0, tzinfo=BERLIN), hours()) == timedelta(
        hours=9
    )


def test_reassignment_is_due_after_half_of_the_open_sla_budget():
    deadline = datetime(2026, 3, 9, 17, 0, tzinfo=BERLIN)
    due = reassign_due(
        assigned_at=FRIDAY_17, started_at=FRIDAY_17, deadline=deadline, share=0.5, hours=hours()
    )
    assert due == datetime(2026, 3, 9, 12, 30, tzinfo=BERLIN)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    minutes=st.integers(min_value=1, max_value=24 * 60 - 1),
)
def test_a_budget_under_a_day_is_that_much_open_time_up_to_a_business_day(start, minutes):
    begin = start.replace(tzinfo=BERLIN)
    budget = timedelta(minutes=minutes)
    due = add_business_time(begin, budget, hours())
    assert due > begin
    assert open_time_between(begin, due, hours()) == min(budget, timedelta(hours=9))


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)).filter(lambda d: d.weekday() < 5),
    minute=st.integers(min_value=1, max_value=9 * 60 - 1),
    days=st.integers(min_value=1, max_value=5),
)
def test_whole_days_from_open_time_land_on_an_open_weekday_at_the_same_local_time(day, minute, days):
    """(From an opening itself a business day ends at that day's closing: see test_sla_open_time.)

    Starts are drawn inside opening hours (after 9:00, before 18:00 on a weekday), not filtered from any
    time: filtering threw away most inputs and failed Hypothesis's health check."""
    begin = datetime.combine(day, time(9), BERLIN) + timedelta(minutes=minute)
    assert hours().is_open(begin)
    due = add_business_time(begin, timedelta(days=days), hours()).astimezone(BERLIN)
    assert due.weekday() < 5
    assert due.time() == begin.time()
    assert due.date() > begin.date()


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    days=st.integers(min_value=0, max_value=5),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_each_whole_day_is_one_business_day_of_open_time(start, days, minutes):
    """On a branch open 9–18 on weekdays a day of budget is 9 h of open time, wherever the clock starts;
    the part under a day counts open hours up to one such day."""
    begin = start.replace(tzinfo=BERLIN)
    due = add_business_time(begin, timedelta(days=days, minutes=minutes), hours())
    rest = min(timedelta(minutes=minutes), timedelta(hours=9))
    assert open_time_between(begin, due, hours()) == days * timedelta(hours=9) + rest
