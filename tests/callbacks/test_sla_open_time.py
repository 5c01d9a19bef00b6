"""Deadlines only in open time: the table in docs/rules.md ("Deadlines in open time") row by row, properties
of the arithmetic on any opening hours, and the sweeps that wait for the branch to open."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks import sweeps
from callbacks.models import CallbackEscalation
from callbacks.services import callback_create
from callbacks.sla import business_day, open_time_between, sla_deadline
from org.hours import WeeklyHours
from tests.callbacks.conftest import names
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory, ClosureFactory
from tests.personas import BERLIN

WEEKDAYS = {day: [(time(9), time(18))] for day in range(5)}
WITH_SATURDAY_MORNING = {**WEEKDAYS, 5: [(time(9), time(13))]}
LUNCH_BREAK = {day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)}
FRIDAY_CLOSED = [(date(2026, 3, 6), date(2026, 3, 6))]


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def hours(intervals=WEEKDAYS, closures=()) -> WeeklyHours:
    return WeeklyHours(tz=BERLIN, intervals=intervals, closures=list(closures))


# March 2026: Wednesday the 4th, Thursday 5, Friday 6, Saturday 7, Monday 9; clocks go forward on Sunday 29.
# (row, created, budget in hours, opening hours, preferred window start, deadline)
TABLE = [
    (1, at(4, 10), 24, hours(), None, at(5, 10)),
    (2, at(4, 23), 24, hours(), None, at(5, 18)),
    (3, at(4, 18), 24, hours(), None, at(5, 18)),
    (4, at(6, 17), 24, hours(), None, at(9, 17)),
    (5, at(6, 17, 30), 2, hours(), None, at(9, 10, 30)),
    (6, at(7, 11), 4, hours(), None, at(9, 13)),
    (7, at(4, 17), 4, hours(), None, at(5, 12)),
    (8, at(4, 16), 2, hours(), None, at(4, 18)),
    (9, at(4, 12, 30), 2, hours(LUNCH_BREAK), None, at(4, 15)),
    (10, at(6, 15), 24, hours(WITH_SATURDAY_MORNING), None, at(9, 11)),
    (11, at(7, 10), 24, hours(WITH_SATURDAY_MORNING), None, at(9, 10)),
    (12, at(5, 10), 24, hours(closures=FRIDAY_CLOSED), None, at(9, 10)),
    (13, at(4, 10), 2, hours(), at(5, 14), at(5, 16)),
    (14, at(4, 23), 48, hours(), None, at(6, 18)),
    (15, at(4, 10), 30, hours(), None, at(5, 16)),
    (16, at(27, 10), 24, hours(), None, at(30, 10)),
    (17, at(4, 23), 24, WeeklyHours(tz=BERLIN), None, at(5, 23)),
    (18, at(4, 10), 12, hours(), None, at(5, 10)),
]


@pytest.mark.parametrize(
    ("created", "budget", "opening_hours", "window_start", "deadline"),
    [pytest.param(*row[1:], id=f"row {row[0]}") for row in TABLE],
)
def test_the_table_in_the_rules_index(created, budget, opening_hours, window_start, deadline):
    due = sla_deadline(
        budget=timedelta(hours=budget), created_at=created, hours=opening_hours, window_start=window_start
    )
    assert due == deadline


# --- properties on any opening hours -------------------------------------------------------------------

QUARTERS = st.integers(min_value=6 * 4, max_value=22 * 4).map(lambda n: time(n // 4, n % 4 * 15))


@st.composite
def opening_hours(draw) -> WeeklyHours:
    """Up to two spans a weekday between 06:00 and 22:00 (breaks between them), at least one in the week,
    and a closure of up to three weeks."""
    intervals = {}
    for weekday in range(7):
        moments = sorted(draw(st.sets(QUARTERS, max_size=4)))
        pairs = list(zip(moments[::2], moments[1::2], strict=False))
        intervals[weekday] = [(opens, closes) for opens, closes in pairs if closes > opens]
    if not any(intervals.values()):
        intervals[draw(st.integers(0, 6))] = [(time(9), time(12))]
    first = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
    closures = draw(
        st.lists(st.integers(0, 20).map(lambda n: (first, first + timedelta(days=n))), max_size=1)
    )
    return WeeklyHours(tz=BERLIN, intervals=intervals, closures=closures)


MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=BERLIN)
)
BUDGETS = st.integers(min_value=1, max_value=3 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))


@settings(max_examples=300, deadline=None)
@given(branch=opening_hours(), created=MOMENTS, budget=BUDGETS)
def test_no_deadline_falls_while_the_branch_is_closed(branch, created, budget):
    """The instant before a deadline is open time: it lies within opening hours or exactly at a closing."""
    due = sla_deadline(budget=budget, created_at=created, hours=branch)
    assert due > created
    assert branch.is_open(due - timedelta(microseconds=1))


@settings(max_examples=300, deadline=None)
@given(branch=opening_hours(), created=MOMENTS, budget=BUDGETS)
def test_a_request_made_while_closed_is_due_as_one_made_at_the_next_opening(branch, created, budget):
    opening = branch.next_open(created)
    due = sla_deadline(budget=budget, created_at=created, hours=branch)
    assert due == sla_deadline(budget=budget, created_at=opening, hours=branch)


@settings(max_examples=300, deadline=None)
@given(branch=opening_hours(), created=MOMENTS, minutes=st.integers(min_value=1, max_value=24 * 60 - 1))
def test_a_budget_under_a_day_is_that_much_open_time_up_to_a_business_day(branch, created, minutes):
    budget = timedelta(minutes=minutes)
    due = sla_deadline(budget=budget, created_at=created, hours=branch)
    one_day = business_day(branch.next_open(created), branch)
    assert open_time_between(created, due, branch) == min(budget, one_day)


@settings(max_examples=300, deadline=None)
@given(branch=opening_hours(), created=MOMENTS)
def test_a_day_of_budget_is_the_open_time_of_the_day_the_clock_starts_on(branch, created):
    opening = branch.next_open(created)
    due = sla_deadline(budget=timedelta(days=1), created_at=created, hours=branch)
    assert open_time_between(created, due, branch) == business_day(opening, branch)


@settings(max_examples=300, deadline=None)
@given(branch=opening_hours(), created=MOMENTS, budget=BUDGETS, more=BUDGETS)
def test_a_larger_budget_is_never_due_earlier(branch, created, budget, more):
    smaller = sla_deadline(budget=budget, created_at=created, hours=branch)
    assert sla_deadline(budget=budget + more, created_at=created, hours=branch) >= smaller


# --- through the service ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_normal_callback_left_at_night_is_due_at_the_end_of_the_next_business_day(mitte, clock):
    clock.move_to(at(4, 23), tick=False)
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567", priority="normal")
    assert callback.expires_at == at(5, 18)


@pytest.mark.django_db
def test_an_urgent_callback_left_on_saturday_is_due_monday_morning(mitte, clock):
    clock.move_to(at(7, 11), tick=False)
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567", priority="urgent")
    assert callback.expires_at == at(9, 11)


# --- warnings and escalations wait for the opening -----------------------------------------------------


@pytest.mark.django_db
def test_a_deadline_at_closing_is_warned_before_it_and_escalated_at_the_next_opening(
    mitte, anna, clock, events
):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, expires_at=at(5, 18))
    clock.move_to(at(5, 17), tick=False)
    assert sweeps.warn_sla_approaching() == 1
    for night in (at(5, 18, 5), at(5, 23), at(6, 8, 55)):
        clock.move_to(night, tick=False)
        assert sweeps.escalate_overdue() == 0
    clock.move_to(at(6, 9), tick=False)
    assert sweeps.escalate_overdue() == 1
    assert callback.escalations.get().escalated_at == at(6, 9)
    assert names(events) == ["callback.sla_approaching", "callback.escalated"]


@pytest.mark.django_db
def test_a_warning_due_before_opening_fires_at_the_opening(mitte, clock, events):
    CallbackRequestFactory(branch=mitte, expires_at=at(9, 9, 30))
    clock.move_to(at(9, 8, 35), tick=False)
    assert sweeps.warn_sla_approaching() == 0
    clock.move_to(at(9, 9), tick=False)
    assert sweeps.warn_sla_approaching() == 1
    assert events[0]["minutes_left"] == 30


@pytest.mark.django_db
def test_nothing_fires_on_a_closure_day(mitte, clock):
    ClosureFactory(branch=mitte, starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 5))
    CallbackRequestFactory(branch=mitte, expires_at=at(5, 10))
    CallbackRequestFactory(branch=mitte, expires_at=at(5, 11, 30))
    clock.move_to(at(5, 11), tick=False)
    assert sweeps.escalate_overdue() == 0
    assert sweeps.warn_sla_approaching() == 0


@pytest.mark.django_db
def test_each_branch_is_judged_by_its_own_hours(mitte, clock):
    evening = BranchFactory(name="Spätsprechstunde", hours=[(day, time(17), time(22)) for day in range(5)])
    CallbackRequestFactory(branch=mitte, expires_at=at(4, 17, 30))
    late = CallbackRequestFactory(branch=evening, expires_at=at(4, 17, 30))
    clock.move_to(at(4, 19), tick=False)
    assert sweeps.escalate_overdue() == 1
    assert CallbackEscalation.objects.get().callback == late


@pytest.mark.django_db
def test_a_branch_without_opening_hours_is_always_open(company, clock):
    anytime = BranchFactory(name="Ohne Zeiten", hours=[])
    CallbackRequestFactory(branch=anytime, expires_at=at(7, 22))
    clock.move_to(at(7, 23), tick=False)
    assert sweeps.escalate_overdue() == 1
