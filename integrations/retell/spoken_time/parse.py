"""`parse_spoken_time`: a normalised phrase, read piece by piece, resolved against `now`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from integrations.retell.spoken_time.result import (
    DAY_END,
    DAY_START,
    EMPTY_EXPRESSION,
    INVALID_DATE,
    INVALID_TIME,
    PART_OF_DAY_WINDOWS,
    UNRECOGNISED_EXPRESSION,
    Days,
    PartOfDay,
    SpokenTime,
    SpokenTimeError,
    Window,
)
from integrations.retell.spoken_time.vocabulary import (
    AFTER_NEXT,
    ASAP,
    CLOCK_PREFIX,
    EDGES,
    HOUR,
    MERIDIEM,
    MINUTE,
    MONTH_RE,
    MONTHS,
    NEXT,
    OPEN_END_WORDS,
    OPEN_START_WORDS,
    PREFIX_WORDS,
    THIS,
    WEEK,
    WEEKDAY_RE,
    WEEKDAYS,
    normalise,
)


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
        if self.take(ASAP) is None:
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
        day_first = rf"\b(?:the )?(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)? (?:of )?(?P<mon>{MONTH_RE})\b\.?{year}"
        month_first = rf"\b(?P<mon>{MONTH_RE})\.? (?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b{year}"
        match = self.take(day_first) or self.take(month_first)
        if match is None:
            return None
        return _one(self._make_date(int(match["d"]), MONTHS[match["mon"]], match["y"]))

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
            named = self.take(rf"\b(?:(?:am|on) )?(?P<wd>{WEEKDAY_RE})s?\b")
            if named is not None:  # that weekday in the week it lands in
                day += timedelta(days=WEEKDAYS[named["wd"]] - day.weekday())
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
        edge = rf"(?:(?P<edge>{EDGES}) )?(?:(?:der|the) )?"
        specs = [
            (rf"\b{edge}(?:{AFTER_NEXT} (?:{WEEK})|week after next)\b", 14),
            (rf"\b{edge}(?:{NEXT}) (?:{WEEK})\b", 7),
            (rf"\b{edge}(?:{THIS}) (?:{WEEK})\b", 0),
            (rf"\b(?P<edge>{EDGES}) (?:der|the) (?:{WEEK})\b", 0),
        ]
        for pattern, offset in specs:
            match = self.take(pattern)
            if match is not None:
                return _week_part(monday + timedelta(days=offset), match["edge"], self.today)
        return None

    def _weekday(self, week: Days | None) -> date | None:
        match = self.take(
            rf"\b(?:(?P<q>{AFTER_NEXT}|{NEXT}|{THIS}) )?(?:(?:am|on) )?(?P<wd>{WEEKDAY_RE})s?\b"
        )
        if match is None:
            return None
        weekday = WEEKDAYS[match["wd"]]
        if week is not None:
            return week[0] - timedelta(days=week[0].weekday()) + timedelta(days=weekday)
        qualifier = match["q"] or ""
        ahead = (weekday - self.today.weekday()) % 7
        if ahead == 0 and not re.fullmatch(THIS, qualifier):
            ahead = 7
        if re.fullmatch(AFTER_NEXT, qualifier):
            ahead += 7
        return self.today + timedelta(days=ahead)

    def _weekend(self) -> Days | None:
        match = self.take(
            rf"\b(?:(?P<q>{AFTER_NEXT}|{NEXT}|{THIS}) )?(?:am |on the |the )?(?:wochenende|weekend)\b"
        )
        if match is None:
            return None
        saturday = self.today + timedelta(days=(5 - self.today.weekday()) % 7)
        if self.today.weekday() == 6:
            saturday -= timedelta(days=7)  # on Sunday, "this weekend" is the one we are in
        qualifier = match["q"] or ""
        if re.fullmatch(AFTER_NEXT, qualifier) or (
            re.fullmatch(NEXT, qualifier) and self.today.weekday() >= 5
        ):
            saturday += timedelta(days=7)
        return max(saturday, self.today), saturday + timedelta(days=1)

    def _month(self) -> Days | None:
        """ "nächsten Monat", "im April", "Ende März", "early next month": a month or a third of one."""
        month = rf"(?:(?P<q>{NEXT}|{THIS}) (?:monats?|month)|(?P<mon>{MONTH_RE}))"
        edge = rf"(?P<edge>{EDGES})"
        match = self.take(
            rf"\b{edge}[ -](?:des |the )?{month}\b"
            rf"|\b(?P<q2>{NEXT}|{THIS}) (?:monat|month)\b|\b(?:im|in) (?P<mon2>{MONTH_RE})\b"
        )
        if match is None:
            return None
        qualifier, month_name = match["q"] or match["q2"], match["mon"] or match["mon2"]
        first = self.today.replace(day=1)
        if month_name:
            first = first.replace(month=MONTHS[month_name])
            if first.month < self.today.month:
                first = first.replace(year=first.year + 1)
        elif re.fullmatch(NEXT, qualifier):
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
            if prefix in OPEN_END_WORDS:
                return _OpenWindow("from", clock)
            if prefix in OPEN_START_WORDS:
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
            match = self.take(rf"\b{CLOCK_PREFIX}\b(?:{words}) {HOUR}\b(?: uhr)?(?: {MERIDIEM})?")
            if match is not None:
                hour, minute = compute(int(match.groupdict().get("n") or 0), int(match["h"]))
                if not 0 < minute < 60:
                    raise SpokenTimeError(INVALID_TIME)
                return match["pre"], _Clock(hour or 12, minute, _meridiem(match))
        return None

    def _digital_clock(self) -> tuple[str | None, _Clock] | None:
        minutes = rf"(?:[:.]{MINUTE}(?: ?uhr)?| ?uhr(?: (?P<m2>\d{{2}})\b)?)"
        with_minutes = rf"\b{CLOCK_PREFIX}{HOUR}{minutes}(?: ?{MERIDIEM})?"
        hour_only = rf"\b{CLOCK_PREFIX}{HOUR}(?= ?(?:am|pm|oclock)\b)(?: oclock)?(?: ?{MERIDIEM})?\b"
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
            rf"\b(?P<pre>{PREFIX_WORDS}) {HOUR}(?: {MINUTE})?\b(?! (?:tage|tagen|days?|wochen?|weeks?)\b)"
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
