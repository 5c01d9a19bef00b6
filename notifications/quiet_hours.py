"""Quiet hours: the part of a customer's day (in their own timezone) when non-urgent messages wait."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_quiet(moment: time, start: time, end: time) -> bool:
    """`start`–`end` may wrap midnight (20:00–08:00); equal bounds mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def next_allowed(at: datetime, tz: ZoneInfo, start: time, end: time) -> datetime:
    """`at` itself when it is outside quiet hours, else the moment quiet hours end (same tz as `at`)."""
    local = at.astimezone(tz)
    if not is_quiet(local.time(), start, end):
        return at
    day = local.date()
    if start > end and local.time() >= start:  # evening part of an overnight window: ends tomorrow
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(at.tzinfo)
