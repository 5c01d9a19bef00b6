"""What a spoken date/time resolves to (`SpokenTime`), and the errors a phrase can raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

EMPTY_EXPRESSION = "Please say a date or a time."
UNRECOGNISED_EXPRESSION = "I could not understand that date or time."
INVALID_DATE = "That date does not exist."
INVALID_TIME = "That time does not exist."

DAY_START = time(0, 0)
DAY_END = time(23, 59)

Days = tuple[date, date]
Window = tuple[time, time]


class PartOfDay(StrEnum):
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"


PART_OF_DAY_WINDOWS: dict[PartOfDay, Window] = {
    PartOfDay.MORNING: (time(8, 0), time(12, 0)),
    PartOfDay.NOON: (time(11, 0), time(14, 0)),
    PartOfDay.AFTERNOON: (time(12, 0), time(18, 0)),
    PartOfDay.EVENING: (time(17, 0), time(21, 0)),
}


class SpokenTimeError(ValueError):
    """The phrase holds no date/time we understand; `str(error)` is one of the module constants."""


@dataclass(frozen=True)
class SpokenTime:
    """A resolved expression: the days it covers and, optionally, a clock time or a window of the day."""

    first_day: date
    last_day: date
    tz: tzinfo
    at: time | None = None
    window: Window | None = None
    part_of_day: PartOfDay | None = None
    date_given: bool = True

    @property
    def is_exact(self) -> bool:
        """One day and one clock time: a concrete slot start."""
        return self.at is not None and self.first_day == self.last_day

    @property
    def earliest(self) -> datetime:
        start = self.at or (self.window[0] if self.window else DAY_START)
        return datetime.combine(self.first_day, start, tzinfo=self.tz)

    @property
    def latest(self) -> datetime:
        end = self.at or (self.window[1] if self.window else DAY_END)
        return datetime.combine(self.last_day, end, tzinfo=self.tz)

    def is_past(self, now: datetime) -> bool:
        return self.latest < now

    def as_dict(self) -> dict[str, str | bool | None]:
        """JSON-friendly form for API answers."""
        return {
            "date": self.first_day.isoformat(),
            "end_date": self.last_day.isoformat(),
            "time": self.at.strftime("%H:%M") if self.at else None,
            "window_start": self.window[0].strftime("%H:%M") if self.window else None,
            "window_end": self.window[1].strftime("%H:%M") if self.window else None,
            "part_of_day": str(self.part_of_day) if self.part_of_day else None,
            "exact": self.is_exact,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
        }
