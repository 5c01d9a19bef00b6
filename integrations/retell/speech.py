"""Dates, times and amounts as the voice agent should say them, in the company's language.

Voice models get dates wrong unless they are spelled out ("Mittwoch, 11. März 2026"), so every answer
the agent reads carries them pre-formatted. Weekday and month names come from Django's own catalogues.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import translation
from django.utils.dateformat import format as django_format

from common.money import money_text

SUPPORTED = ("de", "en")
DATE_FORMATS = {"de": "l, j. F Y", "en": "l, j F Y"}
SHORT_DATE_FORMATS = {"de": "l, j. F", "en": "l, j F"}
TIME_FORMATS = {"de": "H:i", "en": "H:i"}


def language_of(code: str | None) -> str:
    short = (code or "de").split("-")[0].lower()
    return short if short in SUPPORTED else "de"


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Format (and translate) in `language` for the duration of the block."""
    code = language_of(language)
    with translation.override(code):
        yield code


def spoken_date(day: date | datetime, language: str, *, with_year: bool = True) -> str:
    code = language_of(language)
    formats = DATE_FORMATS if with_year else SHORT_DATE_FORMATS
    with translation.override(code):
        return django_format(day, formats[code])


def spoken_weekday(day: date, language: str) -> str:
    with translation.override(language_of(language)):
        return django_format(day, "l")


def spoken_time(moment: time | datetime, language: str) -> str:
    code = language_of(language)
    text = moment.strftime("%H:%M")
    return f"{text} Uhr" if code == "de" else text


def spoken_moment(moment: datetime, language: str) -> str:
    """`moment` must already be in the branch's timezone."""
    code = language_of(language)
    joiner = "um" if code == "de" else "at"
    return f"{spoken_date(moment, code, with_year=False)} {joiner} {spoken_time(moment, code)}"


def spoken_amount(amount: Decimal, currency: str, language: str) -> str:
    return money_text(amount, currency, language_of(language))


def yes_no(value: bool) -> str:
    """Dynamic variables are strings; "true"/"false" is what Retell's own examples use."""
    return "true" if value else "false"
