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

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
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


def parse_spoken_time(text: str, *, now: datetime) -> SpokenTime:
    """Resolve `text` relative to `now` (aware; its timezone is the branch timezone).

    Raises SpokenTimeError with EMPTY_EXPRESSION, UNRECOGNISED_EXPRESSION, INVALID_DATE or INVALID_TIME.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not text or not text.strip():
        raise SpokenTimeError(EMPTY_EXPRESSION)
    iso = _parse_iso(text.strip(), now)
    if iso is not None:
        return iso
    return _Parser(normalise(text), now).parse()


# --- normalisation -------------------------------------------------------------------------------

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "’": "'", "`": "'"})

_GERMAN_UNITS = {
    "eins": 1, "ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "zwei": 2, "zwo": 2, "drei": 3,
    "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
}  # fmt: skip
_GERMAN_TEENS = {
    "zehn": 10, "elf": 11, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "fuenfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_GERMAN_TENS = {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "fuenfzig": 50}
_GERMAN_COMPOUND_UNITS = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7,
                          "acht": 8, "neun": 9}  # fmt: skip
_ENGLISH_UNITS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
_ENGLISH_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_ENGLISH_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}

_GERMAN_ORDINALS = {
    "erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fuenft": 5, "sechst": 6, "siebt": 7, "siebent": 7,
    "acht": 8, "neunt": 9, "zehnt": 10, "elft": 11, "zwoelft": 12, "dreizehnt": 13, "vierzehnt": 14,
    "fuenfzehnt": 15, "sechzehnt": 16, "siebzehnt": 17, "achtzehnt": 18, "neunzehnt": 19,
    "zwanzigst": 20, "dreissigst": 30,
}  # fmt: skip
_ENGLISH_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip


def _with_german_compounds(table: dict[str, int], suffix: str = "") -> dict[str, int]:
    """Add "einundzwanzig(st)" .. "neunundfuenfzig(st)" to a German number table."""
    words = dict(table)
    for tens_word, tens in _GERMAN_TENS.items():
        for unit_word, unit in _GERMAN_COMPOUND_UNITS.items():
            words[f"{unit_word}und{tens_word}{suffix}"] = tens + unit
    return words


_GERMAN_CARDINALS = _with_german_compounds({**_GERMAN_UNITS, **_GERMAN_TEENS, **_GERMAN_TENS})
_GERMAN_ORDINAL_WORDS = _with_german_compounds(_GERMAN_ORDINALS, suffix="st")
_ENGLISH_CARDINALS = {**_ENGLISH_UNITS, **_ENGLISH_TEENS, **_ENGLISH_TENS}


def _alternation(words: dict[str, int]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _words_to_digits(text: str, table: dict[str, int], suffix: str = "", tail: str = "") -> str:
    regex = re.compile(rf"\b({_alternation(table)}){tail}\b")
    return regex.sub(lambda m: f"{table[m.group(1)]}{suffix}", text)


_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
    "sat": 5, "sun": 6,
}  # fmt: skip
_MONTHS = {
    "januar": 1, "jaenner": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2, "maerz": 3,
    "march": 3, "mar": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "dezember": 12,
    "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
_WEEKDAY_RE = _alternation(_WEEKDAYS)
_MONTH_RE = _alternation(_MONTHS)
_GERMAN_WEEKDAY_RE = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"


def normalise(text: str) -> str:
    """Lower-case, transliterate umlauts, turn number words into digits, squeeze whitespace."""
    s = f" {text.lower().translate(_TRANSLITERATION)} "
    s = re.sub(r"[,;!?()\"]", " ", s)
    s = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", s)  # "a.m." before "a" becomes a number
    s = re.sub(r"\bo'?\s?clock\b", "oclock", s)
    # "Montagmorgen", "Dienstag Nachmittag": the part of the day belongs to that weekday.
    s = re.sub(rf"\b({_GERMAN_WEEKDAY_RE}) ?(morgen|vormittag|mittag|nachmittag|abend)s?\b", r"\1 \2s", s)
    s = re.sub(
        r"\b(twenty|thirty|forty|fifty)[\s-](one|two|three|four|five|six|seven|eight|nine)\b",
        lambda m: str(_ENGLISH_TENS[m.group(1)] + _ENGLISH_UNITS[m.group(2)]),
        s,
    )
    s = re.sub(
        r"\b(twenty|thirty)[\s-](first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b",
        lambda m: f"{_ENGLISH_TENS[m.group(1)] + _ENGLISH_ORDINALS[m.group(2)]}th",
        s,
    )
    s = _words_to_digits(s, _GERMAN_ORDINAL_WORDS, suffix=".", tail=r"(?:e|en|er|es|em)")
    s = _words_to_digits(s, _ENGLISH_ORDINALS, suffix="th")
    s = _words_to_digits(s, _GERMAN_CARDINALS)
    s = _words_to_digits(s, _ENGLISH_CARDINALS)
    return re.sub(r"\s+", " ", s).strip()


# --- ISO -----------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _parse_iso(text: str, now: datetime) -> SpokenTime | None:
    tz = now.tzinfo
    assert tz is not None
    if not (_ISO_DATE.fullmatch(text) or _ISO_DATETIME.fullmatch(text)):
        return None
    try:
        if _ISO_DATE.fullmatch(text):
            day = date.fromisoformat(text)
            return SpokenTime(day, day, tz)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise SpokenTimeError(INVALID_DATE) from error
    moment = moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
    return SpokenTime(moment.date(), moment.date(), tz, at=moment.time())


# --- the parser ----------------------------------------------------------------------------------

_NEXT = r"naechste[nmrs]?|kommende[nmrs]?|next|coming|following"
_AFTER_NEXT = r"uebernaechste[nmrs]?"
_THIS = r"diese[nmrs]?|this"
_WEEK = r"woche|week"
_EDGES = r"anfang|mitte|ende|early|mid|late|end of|beginning of|start of"
# German "am" is a preposition ("am Dienstag"); only an "am" not followed by such words means a.m.
_GERMAN_AFTER_AM = (
    rf"(?:{_WEEKDAY_RE}|\d|{_NEXT}|{_AFTER_NEXT}|{_THIS}|wochenende|vormittag|nachmittag|morgen|mittag|abend"
    r"|frueh|spaet|anfang|ende|mitte)"
)
_MERIDIEM = rf"(?:(?P<pm>pm)|(?P<am>am)(?! {_GERMAN_AFTER_AM}))"
_HOUR = r"(?P<h>\d{1,2})"
_MINUTE = r"(?P<m>\d{2})"
_PREFIX_WORDS = r"um|gegen|ca\.?|circa|at|around|about|ab|nach|after|from|von|vor|before|bis|until|till|by"
_CLOCK_PREFIX = rf"(?:(?P<pre>{_PREFIX_WORDS}) )?"
_OPEN_END_WORDS = {"ab", "nach", "after", "from", "von"}
_OPEN_START_WORDS = {"vor", "before", "bis", "until", "till", "by"}
_ASAP = (
    r"\b(?:jetzt|sofort|now|asap|as soon as possible|so ?bald wie moeglich|moeglichst bald"
    r"|naechstmoeglich\w*|fruehestmoeglich\w*|earliest possible)\b"
)


@dataclass(frozen=True)
class _Clock:
    """A clock reading before part-of-day adjustment."""

    hour: int
    minute: int = 0
    meridiem: str | None = None  # "am" | "pm"
    explicit_24h: bool = False  # "14 Uhr", "03:30": no afternoon guessing


@dataclass(frozen=True)
class _OpenWindow:
    """ "ab 14 Uhr" (kind "from") or "bis 12" (kind "until")."""

    kind: str
    clock: _Clock


class _Parser:
    """One parse of one normalised phrase; recognised pieces are blanked out so each matches once."""

    def __init__(self, text: str, now: datetime) -> None:
        assert now.tzinfo is not None
        self.text = f" {text} "
        self.now = now
        self.tz = now.tzinfo
        self.today = now.date()
        self.found_any = False
        self.implied_part: PartOfDay | None = None

    def take(self, pattern: str) -> re.Match[str] | None:
        match = re.search(pattern, self.text)
        if match is not None:
            self.text = f"{self.text[: match.start()]} {self.text[match.end() :]}"
            self.found_any = True
        return match

    def parse(self) -> SpokenTime:
        relative = self._relative_moment() or self._asap()
        if relative is not None:
            return relative
        days = self._days()
        part = self._part_of_day() or self.implied_part
        window = self._clock_range(part)
        clock = None if window else self._clock()
        if not self.found_any:
            raise SpokenTimeError(UNRECOGNISED_EXPRESSION)
        at = None
        if isinstance(clock, _OpenWindow):
            window = _open_window(clock, part)
        elif clock is not None:
            at = _resolve_clock(clock, part)
        window = window or (PART_OF_DAY_WINDOWS[part] if part and at is None else None)
        return self._combine(days, at, window, part)

    def _combine(self, days: Days | None, at: time | None, window: Window | None, part: PartOfDay | None):
        if days is not None:
            return SpokenTime(days[0], days[1], self.tz, at=at, window=window, part_of_day=part)
        latest_today = at or (window[1] if window else DAY_END)
        today_is_over = datetime.combine(self.today, latest_today, tzinfo=self.tz) < self.now
        day = self.today + timedelta(days=1) if today_is_over else self.today
        return SpokenTime(day, day, self.tz, at=at, window=window, part_of_day=part, date_given=False)

    # -- moments relative to now --
    def _relative_moment(self) -> SpokenTime | None:
        match = self.take(r"\bin (?P<n>\d+) (?P<unit>stunden?|hours?|minuten?|minutes?|mins?)\b")
        if match is None:
            return None
        n = int(match["n"])
        delta = timedelta(hours=n) if match["unit"].startswith(("stunde", "hour")) else timedelta(minutes=n)
        moment = (self.now + delta).astimezone(self.tz)
        return SpokenTime(moment.date(), moment.date(), self.tz, at=time(moment.hour, moment.minute))

    def _asap(self) -> SpokenTime | None:
        if self.take(_ASAP) is None:
            return None
        return SpokenTime(
            self.today, self.today, self.tz, window=(time(self.now.hour, self.now.minute), DAY_END)
        )

    # -- days --
    def _days(self) -> Days | None:
        finders: list[Callable[[], Days | None]] = [
            self._numeric_date,
            self._named_month_date,
            self._relative_day,
            self._weekday_or_week,
            self._weekend,
            self._month,
            self._day_of_month,
        ]
        for finder in finders:
            found = finder()
            if found is not None:
                return found
        return None

    def _numeric_date(self) -> Days | None:
        day, month = r"(?P<d>0?[1-9]|[12]\d|3[01])", r"(?P<mo>0?[1-9]|1[0-2])"
        match = self.take(rf"\b{day}\. ?{month}\.(?P<y>\d{{4}}|\d{{2}})?(?!\d)") or self.take(
            rf"\b{day}/{month}(?:/(?P<y>\d{{4}}|\d{{2}}))?\b"
        )
        if match is None:
            return None
        return _one(self._make_date(int(match["d"]), int(match["mo"]), match["y"]))

    def _named_month_date(self) -> Days | None:
        year = r"(?: (?P<y>\d{4}))?"
        day_first = rf"\b(?:the )?(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)? (?:of )?(?P<mon>{_MONTH_RE})\b\.?{year}"
        month_first = rf"\b(?P<mon>{_MONTH_RE})\.? (?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b{year}"
        match = self.take(day_first) or self.take(month_first)
        if match is None:
            return None
        return _one(self._make_date(int(match["d"]), _MONTHS[match["mon"]], match["y"]))

    def _day_of_month(self) -> Days | None:
        match = self.take(r"\b(?:am|den|on the|the) (?P<d>\d{1,2})(?:\.|st|nd|rd|th)(?!\d)")
        if match is None:
            return None
        year, month, day = self.today.year, self.today.month, int(match["d"])
        if day < self.today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _one(_checked_date(year, month, day))

    def _make_date(self, day: int, month: int, year_text: str | None) -> date:
        if year_text:
            year = int(year_text)
            return _checked_date(year + 2000 if year < 100 else year, month, day)
        candidate = _next_valid_date(self.today.year, month, day)
        if candidate < self.today:
            candidate = _next_valid_date(self.today.year + 1, month, day)
        return candidate

    def _relative_day(self) -> Days | None:
        """ "morgen", "übermorgen", "in 3 Tagen", "heute in einer Woche", "Dienstag in zwei Wochen"."""
        if self.take(r"\bheute nacht\b|\btonight\b") is not None:
            self.implied_part = PartOfDay.EVENING
            return _one(self.today)
        later = self.take(
            r"\bin (?P<n>\d+) (?P<unit>tagen?|days?|wochen?|weeks?)\b"
            r"|\b(?P<n2>\d+) (?P<unit2>days?|weeks?) from\b"
        )
        anchor = self._anchor_day()
        if later is None:
            return _one(anchor) if anchor is not None else None
        count, unit = int(later["n"] or later["n2"]), later["unit"] or later["unit2"]
        in_weeks = unit.startswith(("woche", "week"))
        day = (anchor or self.today) + timedelta(days=count * (7 if in_weeks else 1))
        if in_weeks and anchor is None:
            named = self.take(rf"\b(?:(?:am|on) )?(?P<wd>{_WEEKDAY_RE})s?\b")
            if named is not None:  # that weekday in the week it lands in
                day += timedelta(days=_WEEKDAYS[named["wd"]] - day.weekday())
        return _one(day)

    def _anchor_day(self) -> date | None:
        offsets = [
            (r"\buebermorgen\b|\b(?:the )?day after tomorrow\b", 2),
            (r"\bheute\b|\btoday\b", 0),
            (r"(?<!am )(?<!der )\bmorgen\b|\btomorrow\b", 1),
        ]
        for pattern, offset in offsets:
            if self.take(pattern) is not None:
                return self.today + timedelta(days=offset)
        return None

    def _weekday_or_week(self) -> Days | None:
        week = self._week()
        weekday = self._weekday(week)
        return _one(weekday) if weekday is not None else week

    def _week(self) -> Days | None:
        monday = self.today - timedelta(days=self.today.weekday())
        edge = rf"(?:(?P<edge>{_EDGES}) )?(?:(?:der|the) )?"
        specs = [
            (rf"\b{edge}(?:{_AFTER_NEXT} (?:{_WEEK})|week after next)\b", 14),
            (rf"\b{edge}(?:{_NEXT}) (?:{_WEEK})\b", 7),
            (rf"\b{edge}(?:{_THIS}) (?:{_WEEK})\b", 0),
            (rf"\b(?P<edge>{_EDGES}) (?:der|the) (?:{_WEEK})\b", 0),
        ]
        for pattern, offset in specs:
            match = self.take(pattern)
            if match is not None:
                return _week_part(monday + timedelta(days=offset), match["edge"], self.today)
        return None

    def _weekday(self, week: Days | None) -> date | None:
        match = self.take(
            rf"\b(?:(?P<q>{_AFTER_NEXT}|{_NEXT}|{_THIS}) )?(?:(?:am|on) )?(?P<wd>{_WEEKDAY_RE})s?\b"
        )
        if match is None:
            return None
        weekday = _WEEKDAYS[match["wd"]]
        if week is not None:
            return week[0] - timedelta(days=week[0].weekday()) + timedelta(days=weekday)
        qualifier = match["q"] or ""
        ahead = (weekday - self.today.weekday()) % 7
        if ahead == 0 and not re.fullmatch(_THIS, qualifier):
            ahead = 7
        if re.fullmatch(_AFTER_NEXT, qualifier):
            ahead += 7
        return self.today + timedelta(days=ahead)

    def _weekend(self) -> Days | None:
        match = self.take(
            rf"\b(?:(?P<q>{_AFTER_NEXT}|{_NEXT}|{_THIS}) )?(?:am |on the |the )?(?:wochenende|weekend)\b"
        )
        if match is None:
            return None
        saturday = self.today + timedelta(days=(5 - self.today.weekday()) % 7)
        if self.today.weekday() == 6:
            saturday -= timedelta(days=7)  # on Sunday, "this weekend" is the one we are in
        qualifier = match["q"] or ""
        if re.fullmatch(_AFTER_NEXT, qualifier) or (
            re.fullmatch(_NEXT, qualifier) and self.today.weekday() >= 5
        ):
            saturday += timedelta(days=7)
        return max(saturday, self.today), saturday + timedelta(days=1)

    def _month(self) -> Days | None:
        """ "nächsten Monat", "im April", "Ende März", "early next month": a month or a third of one."""
        month = rf"(?:(?P<q>{_NEXT}|{_THIS}) (?:monats?|month)|(?P<mon>{_MONTH_RE}))"
        edge = rf"(?P<edge>{_EDGES})"
        match = self.take(
            rf"\b{edge}[ -](?:des |the )?{month}\b"
            rf"|\b(?P<q2>{_NEXT}|{_THIS}) (?:monat|month)\b|\b(?:im|in) (?P<mon2>{_MONTH_RE})\b"
        )
        if match is None:
            return None
        qualifier, month_name = match["q"] or match["q2"], match["mon"] or match["mon2"]
        first = self.today.replace(day=1)
        if month_name:
            first = first.replace(month=_MONTHS[month_name])
            if first.month < self.today.month:
                first = first.replace(year=first.year + 1)
        elif re.fullmatch(_NEXT, qualifier):
            first = (first + timedelta(days=32)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        first, last = _month_part(first, last, match["edge"])
        return max(first, self.today), max(last, self.today)

    # -- part of the day --
    def _part_of_day(self) -> PartOfDay | None:
        patterns = [
            (r"\bnachmittags?\b|\bafternoon\b", PartOfDay.AFTERNOON),
            (r"\bvormittags?\b|\bmorgens?\b|\b(?:in der )?frueh\b|\bmorning\b", PartOfDay.MORNING),
            (r"(?<!\bum )(?<!\bat )(?:\bmittags?\b|\bmidday\b|\blunch ?time\b|\bnoon\b)", PartOfDay.NOON),
            (r"\babends?\b|\bevening\b|\bnight\b", PartOfDay.EVENING),
        ]
        for pattern, part in patterns:
            if self.take(pattern) is not None:
                return part
        return None

    # -- clock --
    def _clock_range(self, part: PartOfDay | None) -> Window | None:
        bound = r"(?P<{0}>\d{{1,2}})(?:[:.](?P<{0}m>\d{{2}}))?(?: ?uhr)?"
        start, end = bound.format("a"), bound.format("b")
        match = self.take(
            rf"\b(?:zwischen|between|von|from) {start} (?:und|and|bis|to|till|until|-) {end}"
            r"(?: ?(?P<mer>am|pm)\b)?"
        )
        if match is None:
            return None
        meridiem = match["mer"]
        start = _resolve_clock(_Clock(int(match["a"]), int(match["am"] or 0), meridiem), part)
        end = _resolve_clock(_Clock(int(match["b"]), int(match["bm"] or 0), meridiem), part)
        if end <= start and end.hour < 12:
            end = time(end.hour + 12, end.minute)
        return start, end

    def _clock(self) -> _Clock | _OpenWindow | None:
        for finder in (self._minutes_to_or_past, self._digital_clock, self._bare_hour):
            found = finder()
            if found is None:
                continue
            prefix, clock = found
            if prefix in _OPEN_END_WORDS:
                return _OpenWindow("from", clock)
            if prefix in _OPEN_START_WORDS:
                return _OpenWindow("until", clock)
            return clock
        return None

    def _minutes_to_or_past(self) -> tuple[str | None, _Clock] | None:
        specs: list[tuple[str, Callable[[int, int], tuple[int, int]]]] = [
            (r"(?P<n>\d{1,2}) (?:minuten )?vor halb", lambda n, h: (h - 1, 30 - n)),
            (r"(?P<n>\d{1,2}) (?:minuten )?nach halb", lambda n, h: (h - 1, 30 + n)),
            (r"viertel nach|quarter (?:past|after)", lambda _, h: (h, 15)),
            (r"(?:viertel vor|quarter (?:to|before|of)|dreiviertel)", lambda _, h: (h - 1, 45)),
            (r"halb", lambda _, h: (h - 1, 30)),
            (r"half past", lambda _, h: (h, 30)),
            (r"(?P<n>\d{1,2}) (?:minuten |minutes )?(?:nach|past|after)", lambda n, h: (h, n)),
            (r"(?P<n>\d{1,2}) (?:minuten |minutes )?(?:vor|to|before)", lambda n, h: (h - 1, 60 - n)),
        ]
        for words, compute in specs:
            match = self.take(rf"\b{_CLOCK_PREFIX}\b(?:{words}) {_HOUR}\b(?: uhr)?(?: {_MERIDIEM})?")
            if match is not None:
                hour, minute = compute(int(match.groupdict().get("n") or 0), int(match["h"]))
                if not 0 < minute < 60:
                    raise SpokenTimeError(INVALID_TIME)
                return match["pre"], _Clock(hour or 12, minute, _meridiem(match))
        return None

    def _digital_clock(self) -> tuple[str | None, _Clock] | None:
        minutes = rf"(?:[:.]{_MINUTE}(?: ?uhr)?| ?uhr(?: (?P<m2>\d{{2}})\b)?)"
        with_minutes = rf"\b{_CLOCK_PREFIX}{_HOUR}{minutes}(?: ?{_MERIDIEM})?"
        hour_only = rf"\b{_CLOCK_PREFIX}{_HOUR}(?= ?(?:am|pm|oclock)\b)(?: oclock)?(?: ?{_MERIDIEM})?\b"
        match = self.take(with_minutes) or self.take(hour_only)
        if match is None:
            return None
        hour_text = match["h"]
        explicit = int(hour_text) >= 13 or (len(hour_text) == 2 and hour_text.startswith("0"))
        minute = int(match.groupdict().get("m") or match.groupdict().get("m2") or 0)
        return match["pre"], _Clock(int(hour_text), minute, _meridiem(match), explicit)

    def _bare_hour(self) -> tuple[str | None, _Clock] | None:
        if self.take(r"\b(?:um|at) (?:mittag|noon|midday)\b") is not None:
            return "um", _Clock(12, 0, explicit_24h=True)
        match = self.take(
            rf"\b(?P<pre>{_PREFIX_WORDS}) {_HOUR}(?: {_MINUTE})?\b(?! (?:tage|tagen|days?|wochen?|weeks?)\b)"
        )
        if match is None:
            return None
        return match["pre"], _Clock(int(match["h"]), int(match["m"] or 0))


def _meridiem(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("pm"):
        return "pm"
    if groups.get("am"):
        return "am"
    return None


def _resolve_clock(clock: _Clock, part: PartOfDay | None) -> time:
    """Apply am/pm, the part of the day and the business-hours convention to a clock reading."""
    hour, minute = clock.hour, clock.minute
    if hour > 24 or minute > 59 or (clock.meridiem and not 1 <= hour <= 12):
        raise SpokenTimeError(INVALID_TIME)
    if clock.meridiem == "pm":
        return time(hour % 12 + 12, minute)
    if clock.meridiem == "am":
        return time(hour % 12, minute)
    if hour == 24:
        return time(0, minute)
    if not clock.explicit_24h and hour < 12 and _means_afternoon(hour, part):
        hour += 12
    return time(hour, minute)


def _means_afternoon(hour: int, part: PartOfDay | None) -> bool:
    if part in (PartOfDay.AFTERNOON, PartOfDay.EVENING):
        return True
    if part is PartOfDay.NOON:
        return hour <= 3
    return part is None and 1 <= hour <= 7


def _open_window(open_window: _OpenWindow, part: PartOfDay | None) -> Window:
    moment = _resolve_clock(open_window.clock, part)
    if open_window.kind == "from":
        return moment, PART_OF_DAY_WINDOWS[part][1] if part else DAY_END
    return PART_OF_DAY_WINDOWS[part][0] if part else DAY_START, moment


def _week_part(monday: date, edge: str | None, today: date) -> Days:
    """A calendar week (Monday..Sunday), or its beginning/middle/end, never starting before today."""
    first, last = {
        "anfang": (0, 2), "early": (0, 2), "beginning of": (0, 2), "start of": (0, 2),
        "mitte": (2, 3), "mid": (2, 3),
        "ende": (3, 5), "late": (3, 5), "end of": (3, 5),
    }.get(edge or "", (0, 6))  # fmt: skip
    return max(monday + timedelta(days=first), today), max(monday + timedelta(days=last), today)


def _month_part(first: date, last: date, edge: str | None) -> Days:
    """The first, middle or last ten days of a month (the whole month without an edge)."""
    if edge in ("anfang", "early", "beginning of", "start of"):
        return first, first.replace(day=10)
    if edge in ("mitte", "mid"):
        return first.replace(day=11), first.replace(day=20)
    if edge in ("ende", "late", "end of"):
        return first.replace(day=21), last
    return first, last


def _one(day: date) -> Days:
    return day, day


def _checked_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise SpokenTimeError(INVALID_DATE) from error


def _next_valid_date(year: int, month: int, day: int) -> date:
    """The date in `year`, or for 29 February the next leap year."""
    for candidate_year in range(year, year + 8):
        try:
            return date(candidate_year, month, day)
        except ValueError:
            if (month, day) != (2, 29):
                break
    raise SpokenTimeError(INVALID_DATE)
