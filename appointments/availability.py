"""Which times can be offered: Cal.com's free slots, cut down to what this branch, service and customer allow.

The rules are pure functions of their arguments (`bookable`, `rank_alternatives`) so the timezone edges can be
tested without a calendar; `availability_search` and `alternatives_for` fetch the slots and apply them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.conf import company_setting
from integrations.calcom.types import Slot
from org.hours import WeeklyHours

RANGE_IN_PAST = _("The search cannot start before today.")
RANGE_REVERSED = _("The last day must not be before the first day.")
RANGE_TOO_LONG = _("Availability can be searched at most %(days)s days ahead.")
UNKNOWN_TIME_OF_DAY = _(
    "“%(value)s” is not a time of day we know (try vormittags, mittags, nachmittags, abends)."
)
WINDOW_REVERSED = _("The latest time must be after the earliest time.")

Interval = tuple[datetime, datetime]

# The words callers use, as local opening windows.
NAMED_WINDOWS: dict[str, tuple[time, time]] = {
    "vormittags": (time(8), time(12)),
    "morning": (time(8), time(12)),
    "mittags": (time(11), time(14)),
    "noon": (time(11), time(14)),
    "nachmittags": (time(12), time(18)),
    "afternoon": (time(12), time(18)),
    "abends": (time(17), time(21)),
    "evening": (time(17), time(21)),
}


@dataclass(frozen=True)
class TimeWish:
    """The time of day a customer asked for: an exact time, a window (either end open), or any time."""

    exact: time | None = None
    earliest: time | None = None
    latest: time | None = None

    def __post_init__(self) -> None:
        if self.earliest and self.latest and self.latest <= self.earliest:
            raise ValidationError({"latest": WINDOW_REVERSED})

    @classmethod
    def named(cls, name: str) -> TimeWish:
        """ "vormittags", "nachmittags", ... as a window."""
        window = NAMED_WINDOWS.get(name.strip().lower())
        if window is None:
            raise ValidationError({"time_of_day": UNKNOWN_TIME_OF_DAY % {"value": name}})
        return cls(earliest=window[0], latest=window[1])

    def accepts(self, local_start: time) -> bool:
        """A slot matches when it starts at the exact time, or starts inside the window."""
        if self.exact is not None:
            return local_start == self.exact
        if self.earliest is not None and local_start < self.earliest:
            return False
        return not (self.latest is not None and local_start >= self.latest)


ANY_TIME = TimeWish()


def fits_opening_hours(hours: WeeklyHours, start: datetime, duration: timedelta) -> bool:
    """The whole appointment lies inside one open interval of its local day (breaks and closures count)."""
    end = start + duration
    day = start.astimezone(hours.tz).date()
    return any(opens <= start and end <= closes for opens, closes in hours.day_intervals(day))


def overlaps(start: datetime, duration: timedelta, busy: Iterable[Interval]) -> bool:
    end = start + duration
    return any(start < busy_end and busy_start < end for busy_start, busy_end in busy)


def bookable(
    slots: Iterable[Slot],
    *,
    hours: WeeklyHours,
    duration: timedelta,
    busy: Sequence[Interval] = (),
    wish: TimeWish = ANY_TIME,
    now: datetime,
) -> list[Slot]:
    """Slots that start in the future, fit the branch's hours, keep clear of the customer's own
    appointments and match the wished time of day (in the branch's local time)."""
    return [
        slot
        for slot in slots
        if slot.start > now
        and fits_opening_hours(hours, slot.start, duration)
        and not overlaps(slot.start, duration, busy)
        and wish.accepts(slot.start.astimezone(hours.tz).time().replace(tzinfo=None))
    ]


@dataclass(frozen=True)
class AlternativeRules:
    limit: int = 3
    same_day: timedelta = timedelta(hours=2)
    same_time: timedelta = timedelta(minutes=60)
    next_free_days: int = 14

    @classmethod
    def for_company(cls) -> AlternativeRules:
        return cls(
            limit=int(company_setting("APPOINTMENT_MAX_ALTERNATIVES")),
            same_day=timedelta(hours=float(company_setting("APPOINTMENT_SAME_DAY_HOURS"))),
            same_time=timedelta(minutes=float(company_setting("APPOINTMENT_SAME_TIME_MINUTES"))),
            next_free_days=int(company_setting("APPOINTMENT_NEXT_FREE_DAYS")),
        )


def rank_alternatives(
    candidates: Sequence[Slot], *, wanted: datetime, hours: WeeklyHours, rules: AlternativeRules
) -> list[Slot]:
    """Up to `rules.limit` alternatives to `wanted`, in this order of preference:

    1. the same day within ±2 h, 2. the next open day around the same time, 3. the same weekday next week
    around the same time, 4. the next free slot within 14 days; closest to the wish first within each.
    `candidates` must already be bookable (see `bookable`).
    """
    local_wanted = wanted.astimezone(hours.tz)
    wanted_day = local_wanted.date()
    horizon = wanted + timedelta(days=rules.next_free_days)
    pool = [slot for slot in candidates if slot.start != wanted and slot.start <= horizon]
    next_open = _next_open_day(hours, wanted_day)

    def on_day(day: date | None, tolerance: timedelta) -> list[Slot]:
        if day is None:
            return []
        same_day = [slot for slot in pool if _local_date(slot, hours) == day]
        near = [slot for slot in same_day if _clock_distance(slot, local_wanted, hours) <= tolerance]
        return sorted(near, key=lambda slot: (_clock_distance(slot, local_wanted, hours), slot.start))

    tiers = [
        on_day(wanted_day, rules.same_day),
        on_day(next_open, rules.same_time),
        on_day(wanted_day + timedelta(days=7), rules.same_time),
        sorted((slot for slot in pool if slot.start > wanted), key=lambda slot: slot.start),
    ]
    chosen: list[Slot] = []
    for tier in tiers:
        for slot in tier:
            if slot not in chosen and len(chosen) < rules.limit:
                chosen.append(slot)
    return chosen


def _local_date(slot: Slot, hours: WeeklyHours) -> date:
    return slot.start.astimezone(hours.tz).date()


def _clock_distance(slot: Slot, wanted: datetime, hours: WeeklyHours) -> timedelta:
    """Distance between wall-clock times of day (09:00 on a DST day is still "the same time" as 09:00)."""
    local = slot.start.astimezone(hours.tz)
    minutes = abs((local.hour * 60 + local.minute) - (wanted.hour * 60 + wanted.minute))
    return timedelta(minutes=minutes)


def _next_open_day(hours: WeeklyHours, after: date) -> date | None:
    day = after
    for _attempt in range(31):
        day += timedelta(days=1)
        if hours.day_intervals(day):
            return day
    return None


def check_search_range(first_day: date, last_day: date, *, today: date) -> None:
    """Searches start today at the earliest and reach at most APPOINTMENT_SEARCH_MAX_DAYS ahead."""
    max_days = int(company_setting("APPOINTMENT_SEARCH_MAX_DAYS"))
    if first_day < today:
        raise ValidationError({"first_day": RANGE_IN_PAST})
    if last_day < first_day:
        raise ValidationError({"last_day": RANGE_REVERSED})
    if last_day > today + timedelta(days=max_days):
        raise ValidationError({"last_day": RANGE_TOO_LONG % {"days": max_days}})


def local_day_bounds(first_day: date, last_day: date, hours: WeeklyHours) -> Interval:
    """From local midnight of the first day to local midnight after the last, in UTC so that arithmetic on
    them is right across a daylight-saving change (a local day can last 23 or 25 hours)."""
    start = datetime.combine(first_day, time(0), hours.tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), hours.tz).astimezone(UTC)
    return start, end
