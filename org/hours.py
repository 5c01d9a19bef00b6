"""Opening hours as a clock: is a branch open, and when does N hours of open time run out.

Pure Python (no database): `Branch.weekly_hours()` builds one from its rows.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class WeeklyHours:
    tz: ZoneInfo
    intervals: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)
    closures: Sequence[tuple[date, date]] = ()

    def has_hours(self) -> bool:
        """False for a branch without any opening hours: its clock runs on wall time."""
        return any(self.intervals.values())

    def is_closed_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.closures)

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals of one local day, in UTC so that arithmetic is right across DST changes.

        (Python subtracts two datetimes that share a tzinfo on the wall clock, ignoring the offset change.)
        """
        if self.is_closed_on(day):
            return []
        spans = sorted(self.intervals.get(day.weekday(), ()))
        return [(self._utc(day, opens), self._utc(day, closes)) for opens, closes in spans if closes > opens]

    def _utc(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, self.tz).astimezone(UTC)

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open time between start and end, clipped to that range."""
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for opens, closes in self.day_intervals(day):
                lo, hi = max(opens, start), min(closes, end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    def open_time_on(self, day: date) -> timedelta:
        """How long the branch is open on one local day (0 when closed that day)."""
        return sum((closes - opens for opens, closes in self.day_intervals(day)), timedelta(0))

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        return any(opens <= local < closes for opens, closes in self.day_intervals(local.date()))

    def next_open(self, at: datetime) -> datetime | None:
        """`at` itself when open, else the next opening; None when nothing opens within a year."""
        day = at.astimezone(self.tz).date()
        for _ in range(MAX_DAYS_AHEAD):
            for opens, closes in self.day_intervals(day):
                if closes > at:
                    return max(opens, at)
            day += timedelta(days=1)
        return None

    def add_open_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of open time has passed after `start` (the SLA clock).

        With no opening hours at all the clock runs on wall time, so such a branch still gets deadlines.
        """
        if not self.has_hours():
            return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
        remaining = duration
        start_utc = start.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS_AHEAD):
            for opens, closes in self.day_intervals(day):
                lo = max(opens, start_utc)
                if lo >= closes:
                    continue
                if lo + remaining <= closes:
                    return (lo + remaining).astimezone(start.tzinfo)
                remaining -= closes - lo
            day += timedelta(days=1)
        return (start_utc + duration).astimezone(start.tzinfo)
