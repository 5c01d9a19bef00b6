"""The words of spoken German and English dates and times: number words, weekdays, months, and the
regular-expression pieces the parser is built from; `normalise` rewrites a phrase into that vocabulary."""

from __future__ import annotations

import re

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


WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
    "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {
    "januar": 1, "jaenner": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2, "maerz": 3,
    "march": 3, "mar": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "dezember": 12,
    "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
WEEKDAY_RE = _alternation(WEEKDAYS)
MONTH_RE = _alternation(MONTHS)
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


# --- words and patterns the parser looks for ------------------------------------------------------

NEXT = r"naechste[nmrs]?|kommende[nmrs]?|next|coming|following"
AFTER_NEXT = r"uebernaechste[nmrs]?"
THIS = r"diese[nmrs]?|this"
WEEK = r"woche|week"
EDGES = r"anfang|mitte|ende|early|mid|late|end of|beginning of|start of"
# German "am" is a preposition ("am Dienstag"); only an "am" not followed by such words means a.m.
_GERMAN_AFTER_AM = (
    rf"(?:{WEEKDAY_RE}|\d|{NEXT}|{AFTER_NEXT}|{THIS}|wochenende|vormittag|nachmittag|morgen|mittag|abend"
    r"|frueh|spaet|anfang|ende|mitte)"
)
MERIDIEM = rf"(?:(?P<pm>pm)|(?P<am>am)(?! {_GERMAN_AFTER_AM}))"
HOUR = r"(?P<h>\d{1,2})"
MINUTE = r"(?P<m>\d{2})"
PREFIX_WORDS = r"um|gegen|ca\.?|circa|at|around|about|ab|nach|after|from|von|vor|before|bis|until|till|by"
CLOCK_PREFIX = rf"(?:(?P<pre>{PREFIX_WORDS}) )?"
OPEN_END_WORDS = {"ab", "nach", "after", "from", "von"}
OPEN_START_WORDS = {"vor", "before", "bis", "until", "till", "by"}
ASAP = (
    r"\b(?:jetzt|sofort|now|asap|as soon as possible|so ?bald wie moeglich|moeglichst bald"
    r"|naechstmoeglich\w*|fruehestmoeglich\w*|earliest possible)\b"
)
