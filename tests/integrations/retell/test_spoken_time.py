"""Spoken German and English dates and times resolve to the days and clock times a caller means."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.retell.spoken_time import (
    EMPTY_EXPRESSION,
    INVALID_DATE,
    INVALID_TIME,
    UNRECOGNISED_EXPRESSION,
    PartOfDay,
    SpokenTimeError,
    normalise,
    parse_spoken_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 11 March 2026, 09:30 in Berlin.
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=BERLIN)


def parse(text: str, now: datetime = NOW):
    return parse_spoken_time(text, now=now)


def days(result) -> tuple[date, date]:
    return result.first_day, result.last_day


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("nächsten Dienstag um 10", date(2026, 3, 17), time(10, 0)),
        ("naechsten Dienstag um 10 Uhr", date(2026, 3, 17), time(10, 0)),
        ("am 15.3. um 14:30", date(2026, 3, 15), time(14, 30)),
        ("Donnerstag, den 19. März 2026 um 11 Uhr", date(2026, 3, 19), time(11, 0)),
        ("übermorgen um halb drei", date(2026, 3, 13), time(14, 30)),
        ("morgen um viertel nach neun", date(2026, 3, 12), time(9, 15)),
        ("Freitag um viertel vor vier", date(2026, 3, 13), time(15, 45)),
        ("Freitag um dreiviertel zehn", date(2026, 3, 13), time(9, 45)),
        ("morgen um fünf vor halb vier", date(2026, 3, 12), time(15, 25)),
        ("morgen zehn nach drei", date(2026, 3, 12), time(15, 10)),
        ("morgen um zehn Uhr dreißig", date(2026, 3, 12), time(10, 30)),
        ("morgen um 9.30 Uhr", date(2026, 3, 12), time(9, 30)),
        ("heute Abend um 7", date(2026, 3, 11), time(19, 0)),
        ("Dienstag Nachmittag um 3", date(2026, 3, 17), time(15, 0)),
        ("morgen um 8 Uhr morgens", date(2026, 3, 12), time(8, 0)),
        ("Montag um 12 Uhr mittags", date(2026, 3, 16), time(12, 0)),
        ("Montag um 1 mittags", date(2026, 3, 16), time(13, 0)),
        ("um 10 am Dienstag", date(2026, 3, 17), time(10, 0)),
        ("next Tuesday morning at 9:15", date(2026, 3, 17), time(9, 15)),
        ("March 15th at 3pm", date(2026, 3, 15), time(15, 0)),
        ("the twenty-first of March at 10 a.m.", date(2026, 3, 21), time(10, 0)),
        ("friday at 5 pm", date(2026, 3, 13), time(17, 0)),
        ("tomorrow at 8 o'clock", date(2026, 3, 12), time(8, 0)),
        ("tomorrow at ten thirty", date(2026, 3, 12), time(10, 30)),
        ("tomorrow at half past ten", date(2026, 3, 12), time(10, 30)),
        ("tomorrow at quarter to four", date(2026, 3, 12), time(15, 45)),
        ("the day after tomorrow at 9am", date(2026, 3, 13), time(9, 0)),
        ("tomorrow at noon", date(2026, 3, 12), time(12, 0)),
        ("Thursday at 12 am", date(2026, 3, 12), time(0, 0)),
        ("at 7 in the evening", date(2026, 3, 11), time(19, 0)),
        ("15.03.2026 16:00", date(2026, 3, 15), time(16, 0)),
    ],
)
def test_exact_times_resolve_to_one_day_and_clock_time(text, day, at):
    result = parse(text)
    assert (result.first_day, result.last_day, result.at) == (day, day, at)
    assert result.is_exact
    assert result.earliest == datetime.combine(day, at, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "day", "window", "part"),
    [
        ("morgen vormittag", date(2026, 3, 12), (time(8), time(12)), PartOfDay.MORNING),
        ("morgen früh", date(2026, 3, 12), (time(8), time(12)), PartOfDay.MORNING),
        ("Montagmorgen", date(2026, 3, 16), (time(8), time(12)), PartOfDay.MORNING),
        ("Montag früh", date(2026, 3, 16), (time(8), time(12)), PartOfDay.MORNING),
        ("heute morgen", date(2026, 3, 11), (time(8), time(12)), PartOfDay.MORNING),
        ("next Friday afternoon", date(2026, 3, 13), (time(12), time(18)), PartOfDay.AFTERNOON),
        ("Freitagnachmittag", date(2026, 3, 13), (time(12), time(18)), PartOfDay.AFTERNOON),
        ("morgen gegen Mittag", date(2026, 3, 12), (time(11), time(14)), PartOfDay.NOON),
        ("tonight", date(2026, 3, 11), (time(17), time(21)), PartOfDay.EVENING),
        ("heute abend", date(2026, 3, 11), (time(17), time(21)), PartOfDay.EVENING),
        ("morgen zwischen 10 und 12", date(2026, 3, 12), (time(10), time(12)), None),
        (
            "Freitag nachmittags zwischen 2 und 4",
            date(2026, 3, 13),
            (time(14), time(16)),
            PartOfDay.AFTERNOON,
        ),
        ("next Friday between 8 and 10 pm", date(2026, 3, 13), (time(20), time(22)), None),
        ("tomorrow from 9 to 5", date(2026, 3, 12), (time(9), time(17)), None),
        ("morgen ab 14 Uhr", date(2026, 3, 12), (time(14), time(23, 59)), None),
        ("morgen vor 12 Uhr", date(2026, 3, 12), (time(0), time(12)), None),
        ("tomorrow after 3pm", date(2026, 3, 12), (time(15), time(23, 59)), None),
        ("Freitag nachmittags ab 3", date(2026, 3, 13), (time(15), time(18)), PartOfDay.AFTERNOON),
    ],
)
def test_vague_times_resolve_to_a_window_of_the_day(text, day, window, part):
    result = parse(text)
    assert days(result) == (day, day)
    assert result.at is None and not result.is_exact
    assert (result.window, result.part_of_day) == (window, part)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heute", (date(2026, 3, 11), date(2026, 3, 11))),
        ("today", (date(2026, 3, 11), date(2026, 3, 11))),
        ("morgen", (date(2026, 3, 12), date(2026, 3, 12))),
        ("übermorgen", (date(2026, 3, 13), date(2026, 3, 13))),
        ("Mittwoch", (date(2026, 3, 18), date(2026, 3, 18))),  # today is Wednesday: the next one
        ("nächsten Mittwoch", (date(2026, 3, 18), date(2026, 3, 18))),
        ("diesen Mittwoch", (date(2026, 3, 11), date(2026, 3, 11))),
        ("am Freitag", (date(2026, 3, 13), date(2026, 3, 13))),
        ("kommenden Montag", (date(2026, 3, 16), date(2026, 3, 16))),
        ("übernächsten Montag", (date(2026, 3, 23), date(2026, 3, 23))),
        ("Dienstag nächste Woche", (date(2026, 3, 17), date(2026, 3, 17))),
        ("nächste Woche Freitag", (date(2026, 3, 20), date(2026, 3, 20))),
        ("Friday next week", (date(2026, 3, 20), date(2026, 3, 20))),
        ("15. März", (date(2026, 3, 15), date(2026, 3, 15))),
        ("am ersten April", (date(2026, 4, 1), date(2026, 4, 1))),
        ("am zweiundzwanzigsten März", (date(2026, 3, 22), date(2026, 3, 22))),
        ("1. März", (date(2027, 3, 1), date(2027, 3, 1))),  # already past this year
        ("Freitag, den 13.", (date(2026, 3, 13), date(2026, 3, 13))),
        ("am 20.", (date(2026, 3, 20), date(2026, 3, 20))),
        ("the 5th", (date(2026, 4, 5), date(2026, 4, 5))),  # the 5th of March has passed
        ("1/4", (date(2026, 4, 1), date(2026, 4, 1))),
        ("in 3 Tagen", (date(2026, 3, 14), date(2026, 3, 14))),
        ("in einer Woche", (date(2026, 3, 18), date(2026, 3, 18))),
        ("in two weeks", (date(2026, 3, 25), date(2026, 3, 25))),
        ("heute in einer Woche", (date(2026, 3, 18), date(2026, 3, 18))),
        ("morgen in einer Woche", (date(2026, 3, 19), date(2026, 3, 19))),
        ("Dienstag in zwei Wochen", (date(2026, 3, 24), date(2026, 3, 24))),
        ("in two weeks on Monday", (date(2026, 3, 23), date(2026, 3, 23))),
        ("a week from today", (date(2026, 3, 18), date(2026, 3, 18))),
        ("three days from tomorrow", (date(2026, 3, 15), date(2026, 3, 15))),
        ("nächste Woche", (date(2026, 3, 16), date(2026, 3, 22))),
        ("next week", (date(2026, 3, 16), date(2026, 3, 22))),
        ("diese Woche", (date(2026, 3, 11), date(2026, 3, 15))),
        ("Anfang nächster Woche", (date(2026, 3, 16), date(2026, 3, 18))),
        ("end of next week", (date(2026, 3, 19), date(2026, 3, 21))),
        ("übernächste Woche", (date(2026, 3, 23), date(2026, 3, 29))),
        ("am Wochenende", (date(2026, 3, 14), date(2026, 3, 15))),
        ("next weekend", (date(2026, 3, 14), date(2026, 3, 15))),
        ("nächsten Monat", (date(2026, 4, 1), date(2026, 4, 30))),
        ("im April", (date(2026, 4, 1), date(2026, 4, 30))),
        ("im Februar", (date(2027, 2, 1), date(2027, 2, 28))),
        ("Ende März", (date(2026, 3, 21), date(2026, 3, 31))),
        ("Anfang April", (date(2026, 4, 1), date(2026, 4, 10))),
        ("mid-May", (date(2026, 5, 11), date(2026, 5, 20))),
        ("end of next month", (date(2026, 4, 21), date(2026, 4, 30))),
        ("Ende des nächsten Monats", (date(2026, 4, 21), date(2026, 4, 30))),
        ("Ende der Woche", (date(2026, 3, 12), date(2026, 3, 14))),
        ("end of the week", (date(2026, 3, 12), date(2026, 3, 14))),
    ],
)
def test_days_and_ranges_of_days(text, expected):
    result = parse(text)
    assert days(result) == expected
    assert result.at is None


def test_a_time_without_a_date_is_today_while_it_is_still_ahead():
    result = parse("um 11")
    assert (result.first_day, result.at, result.date_given) == (date(2026, 3, 11), time(11), False)


def test_a_time_without_a_date_that_has_passed_today_means_tomorrow():
    result = parse("um 8")
    assert (result.first_day, result.at) == (date(2026, 3, 12), time(8))
    assert parse("vormittags", now=NOW.replace(hour=13)).first_day == date(2026, 3, 12)


def test_a_bare_small_hour_means_the_afternoon():
    assert parse("morgen um 3").at == time(15)
    assert parse("morgen um 3 Uhr").at == time(15)
    assert parse("morgen um 8").at == time(8)
    assert parse("morgen um 03:00").at == time(3)  # a leading zero is a 24-hour reading


def test_relative_hours_and_minutes_count_from_now():
    assert parse("in zwei Stunden").earliest == datetime(2026, 3, 11, 11, 30, tzinfo=BERLIN)
    assert parse("in 45 minutes").earliest == datetime(2026, 3, 11, 10, 15, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "text", ["so bald wie möglich", "as soon as possible", "jetzt", "nächstmöglichen Termin"]
)
def test_as_soon_as_possible_means_from_now_on(text):
    result = parse(text)
    assert days(result) == (date(2026, 3, 11), date(2026, 3, 11))
    assert result.window == (time(9, 30), time(23, 59))


def test_iso_dates_and_datetimes_are_accepted():
    assert days(parse("2026-03-20")) == (date(2026, 3, 20), date(2026, 3, 20))
    local = parse("2026-03-20T10:00")
    assert (local.first_day, local.at) == (date(2026, 3, 20), time(10))
    utc = parse("2026-03-20T10:00:00Z")
    assert (utc.first_day, utc.at) == (date(2026, 3, 20), time(11))  # shown in Berlin time


def test_dates_resolve_in_the_branch_timezone():
    # 23:30 UTC on 11 March is already 12 March in Berlin and still 11 March in New York.
    moment = datetime(2026, 3, 11, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert parse("morgen", now=moment.astimezone(BERLIN)).first_day == date(2026, 3, 13)
    assert parse("tomorrow", now=moment.astimezone(ZoneInfo("America/New_York"))).first_day == date(
        2026, 3, 12
    )


def test_across_the_daylight_saving_change_the_clock_time_is_kept():
    # Clocks go forward in Berlin on Sunday 29 March 2026.
    result = parse("Montag um 10", now=datetime(2026, 3, 28, 12, tzinfo=BERLIN))
    assert result.earliest.isoformat() == "2026-03-30T10:00:00+02:00"


def test_29_february_without_a_year_is_the_next_leap_year():
    assert parse("29.2.").first_day == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", EMPTY_EXPRESSION),
        ("   ", EMPTY_EXPRESSION),
        ("irgendwann mal", UNRECOGNISED_EXPRESSION),
        ("whenever suits you", UNRECOGNISED_EXPRESSION),
        ("31.4.2026", INVALID_DATE),
        ("30. Februar 2026", INVALID_DATE),
        ("2026-02-30", INVALID_DATE),
        ("morgen um 25 Uhr", INVALID_TIME),
        ("13 pm", INVALID_TIME),
        ("morgen um 10:75", INVALID_TIME),
    ],
)
def test_unusable_expressions_raise_with_a_reason(text, message):
    with pytest.raises(SpokenTimeError) as error:
        parse(text)
    assert str(error.value) == message


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError):
        parse_spoken_time("morgen", now=datetime(2026, 3, 11, 9, 30))


def test_normalise_turns_words_into_digits_and_umlauts_into_ascii():
    assert normalise("Übermorgen um Viertel nach Zwölf") == "uebermorgen um viertel nach 12"
    assert normalise("am einundzwanzigsten März") == "am 21. maerz"
    assert normalise("at 10 a.m.") == "at 10 am"


def test_as_dict_holds_strings_for_the_agent():
    data = parse("morgen vormittag").as_dict()
    assert data["date"] == "2026-03-12"
    assert (data["window_start"], data["window_end"], data["time"]) == ("08:00", "12:00", None)
    assert data["exact"] is False


def test_is_past_compares_the_latest_moment():
    assert parse("2026-03-10").is_past(NOW)
    assert not parse("heute").is_past(NOW)


@given(st.text(max_size=60))
def test_any_text_either_parses_or_raises_spoken_time_error(text):
    try:
        result = parse(text)
    except SpokenTimeError:
        return
    assert result.first_day <= result.last_day
    assert result.earliest <= result.latest


@given(st.integers(0, 23), st.integers(0, 59), st.dates(date(2020, 1, 1), date(2035, 12, 31)))
def test_iso_round_trips(hour, minute, day):
    result = parse(f"{day.isoformat()}T{hour:02d}:{minute:02d}")
    assert (result.first_day, result.at) == (day, time(hour, minute))
