"""Natural German and English date/time expressions -> a structured, timezone-aware result.

The phone agent hears things like "morgen vormittag", "nächsten Dienstag um halb drei",
"next Friday afternoon" or "between 10 and 12 on the 15th". `parse_spoken_time` turns such a phrase
into a `SpokenTime`: a day range (one day or several) plus either an exact clock time or a window of
the day. It is pure: the caller passes `now` (aware, in the branch timezone) and gets dates in that
timezone back. ISO input ("2026-03-15", "2026-03-15T10:00+01:00") is accepted too.

Conventions (chosen for a business that takes appointments, stated once here):
- A bare weekday and "nächsten/next <weekday>" mean the first such day *after* today; "diesen/this
  <weekday>" may be today.
- A bare hour from 1 to 7 without am/pm or part of the day means the afternoon ("um 3" -> 15:00).
- Without a date, a time that is already past today means tomorrow.
- A day and month without a year that is already past means next year.
"""

from integrations.retell.spoken_time.parse import parse_spoken_time
from integrations.retell.spoken_time.result import (
    EMPTY_EXPRESSION,
    INVALID_DATE,
    INVALID_TIME,
    PART_OF_DAY_WINDOWS,
    UNRECOGNISED_EXPRESSION,
    PartOfDay,
    SpokenTime,
    SpokenTimeError,
)
from integrations.retell.spoken_time.vocabulary import normalise

__all__ = [
    "EMPTY_EXPRESSION",
    "INVALID_DATE",
    "INVALID_TIME",
    "PART_OF_DAY_WINDOWS",
    "UNRECOGNISED_EXPRESSION",
    "PartOfDay",
    "SpokenTime",
    "SpokenTimeError",
    "normalise",
    "parse_spoken_time",
]
