"""SMS length: GSM-7 vs UCS-2 encoding and the number of segments a text is billed as.

GSM 03.38: a message is GSM-7 if every character is in the basic table (1 septet) or the extension table
(escape + character = 2 septets). One segment holds 160 septets; a concatenated message uses 153 per
segment (the rest is the UDH header), and an extension character is never split across two segments.
Any other character makes the whole message UCS-2: 70 UTF-16 code units in one segment, 67 per segment
when concatenated, and a surrogate pair (emoji) is never split.
"""

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Typographic characters that would silently turn a German text into UCS-2 (less than half the length
# per segment), with their GSM-7 equivalents.
_GSM7_SUBSTITUTES = str.maketrans(
    {
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
    }
)

TRUNCATION_MARK = "..."


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


_LIMITS = {SmsEncoding.GSM7: (160, 153), SmsEncoding.UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsLength:
    encoding: SmsEncoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def encoding_of(text: str) -> SmsEncoding:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return SmsEncoding.GSM7
    return SmsEncoding.UCS2


def _unit_cost(ch: str, encoding: SmsEncoding) -> int:
    if encoding is SmsEncoding.GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def measure(text: str) -> SmsLength:
    """Encoding, size and segment count of `text` as a carrier bills it."""
    encoding = encoding_of(text)
    costs = [_unit_cost(ch, encoding) for ch in text]
    single, multi = _LIMITS[encoding]
    units = sum(costs)
    if units <= single:
        return SmsLength(encoding, units, 1 if text else 0)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:  # the character does not fit: it starts the next segment whole
            segments, used = segments + 1, 0
        used += cost
    return SmsLength(encoding, units, segments)


def to_gsm_friendly(text: str) -> str:
    """Replace typographic quotes, dashes and spaces with GSM-7 equivalents."""
    return text.translate(_GSM7_SUBSTITUTES)


def fit_to_segments(text: str, max_segments: int) -> str:
    """`text` unchanged if it fits in `max_segments`, else cut at a word boundary and marked with '...'."""
    if measure(text).segments <= max_segments:
        return text
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits together with the mark
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + TRUNCATION_MARK).segments <= max_segments:
            low = middle
        else:
            high = middle - 1
    prefix = text[:low]
    word_end = prefix.rfind(" ")
    if word_end > low // 2:
        prefix = prefix[:word_end]
    return prefix.rstrip() + TRUNCATION_MARK
