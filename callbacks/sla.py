"""The SLA clock: when a callback is due, counted on the branch's opening hours.

Budgets of a day or more count *business days* (a normal callback of 24 h created Friday 17:00 for a branch
open Monday to Friday is due Monday 17:00, not Saturday), the part below a day counts open hours only (an
urgent callback of 2 h created Friday 17:30 is due Monday 10:30). Closures are skipped like weekends.
"""

from datetime import datetime, timedelta

from org.hours import MAX_DAYS_AHEAD, WeeklyHours

ONE_DAY = timedelta(days=1)


def _same_time_next_open_day(at: datetime, hours: WeeklyHours) -> datetime:
    local = at.astimezone(hours.tz)
    day = local.date()
    for _ in range(MAX_DAYS_AHEAD):
        day += ONE_DAY
        if hours.day_intervals(day):
            # Combine in local wall time so a DST change in between keeps "same time of day".
            return datetime.combine(day, local.time(), hours.tz)
    return at + ONE_DAY


def add_business_time(start: datetime, budget: timedelta, hours: WeeklyHours) -> datetime:
    """`start` plus `budget`: whole days as business days, the rest as open hours."""
    if not any(hours.intervals.values()):
        return start + budget
    whole_days, rest = divmod(budget, ONE_DAY)
    at = start
    for _ in range(whole_days):
        at = _same_time_next_open_day(at, hours)
    if rest:
        at = hours.add_open_time(at, rest)
    return at.astimezone(start.tzinfo)


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


def open_time_between(start: datetime, end: datetime, hours: WeeklyHours) -> timedelta:
    if not any(hours.intervals.values()):
        return max(end - start, timedelta(0))
    return sum((hi - lo for lo, hi in hours.open_intervals(start, end)), timedelta(0))


def reassign_due(
    *, assigned_at: datetime, started_at: datetime, deadline: datetime, share: float, hours: WeeklyHours
) -> datetime:
    """When an assignee who has not tried to call is relieved: `share` of the open time in the SLA budget."""
    budget_open = open_time_between(started_at, deadline, hours)
    return hours.add_open_time(assigned_at, budget_open * share)
