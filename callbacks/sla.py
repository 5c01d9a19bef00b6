"""The SLA clock: when a callback is due, counted in its branch's open time only.

The arithmetic (a table of examples is in docs/rules.md, "Deadlines in open time"):

1. The clock starts when the request exists or when the customer wants to be called, whichever is later;
   if the branch is closed at that moment, it starts at the next opening.
2. Each whole day (24 h) of the budget is one business day: as much open time as the local day the clock is
   on (9 h on a day open 9–18). On days with the same hours that is the same time on the next open day;
   when the next open day is shorter, the rest carries over into the day after.
3. The part of the budget under a day counts open hours, but never more than one business day (on a day
   open 9–18 a budget of 12 h is due when one of 24 h would be: a larger budget is never due earlier).
4. The deadline is the first moment at which that open time has passed: within opening hours or exactly at
   a closing, never while the branch is closed.

A branch without any opening hours runs on the wall clock (it is treated as always open).
"""

from datetime import UTC, datetime, timedelta

from org.hours import WeeklyHours

ONE_DAY = timedelta(days=1)


def add_business_time(start: datetime, budget: timedelta, hours: WeeklyHours) -> datetime:
    """`start` plus `budget` in open time: whole days as business days, the rest as open hours (at most a
    business day)."""
    opening = hours.next_open(start) if hours.has_hours() else None
    if opening is None:
        return hours.add_open_time(start, budget)
    whole_days, rest = divmod(budget, ONE_DAY)
    at = opening
    for _ in range(whole_days):
        at = hours.add_open_time(at, business_day(at, hours))
    if rest:
        at = hours.add_open_time(at, min(rest, business_day(at, hours)))
    return at.astimezone(start.tzinfo)


def business_day(at: datetime, hours: WeeklyHours) -> timedelta:
    """What one whole day of budget is worth from `at`: the open time of the local day the clock is on."""
    return hours.open_time_on(at.astimezone(hours.tz).date())


def clock_start(created_at: datetime, window_start: datetime | None) -> datetime:
    """The SLA clock starts when the customer wants to be called, never before the request exists.

    So nobody is escalated for not calling before the customer's preferred window.
    """
    if window_start is None:
        return created_at
    return max(created_at, window_start)


def sla_deadline(
    *, budget: timedelta, created_at: datetime, hours: WeeklyHours, window_start: datetime | None = None
) -> datetime:
    return add_business_time(clock_start(created_at, window_start), budget, hours)


def is_open_time(at: datetime, hours: WeeklyHours) -> bool:
    """Whether the SLA clock runs at `at`: deadline warnings and escalations happen only then."""
    return not hours.has_hours() or hours.is_open(at)


def open_time_between(start: datetime, end: datetime, hours: WeeklyHours) -> timedelta:
    if not hours.has_hours():
        return max(end.astimezone(UTC) - start.astimezone(UTC), timedelta(0))
    return sum((hi - lo for lo, hi in hours.open_intervals(start, end)), timedelta(0))


def reassign_due(
    *, assigned_at: datetime, started_at: datetime, deadline: datetime, share: float, hours: WeeklyHours
) -> datetime:
    """When an assignee who has not tried to call is relieved: `share` of the open time in the SLA budget."""
    budget_open = open_time_between(started_at, deadline, hours)
    return hours.add_open_time(assigned_at, budget_open * share)
