"""How many segments an SMS costs: GSM-7 (160/153) versus UCS-2 (70/67)."""

import pytest

from notifications.sms_segments import (
    SmsEncoding,
    encoding_of,
    fit_to_segments,
    measure,
    to_gsm_friendly,
)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", SmsEncoding.GSM7, 0, 0),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("Grüße aus Köln, Straße" * 1, SmsEncoding.GSM7, 22, 1),  # umlauts and ß are GSM-7
        ("€" * 80, SmsEncoding.GSM7, 160, 1),  # extension characters count twice
        ("€" * 81, SmsEncoding.GSM7, 162, 2),  # 76 € (152 septets) per concatenated segment
        ("€" * 153, SmsEncoding.GSM7, 306, 3),  # 306 septets would fit 2×153, but a pair is never split
        ("ç" + "a" * 69, SmsEncoding.UCS2, 70, 1),  # one non-GSM character makes it all UCS-2
        ("ç" + "a" * 70, SmsEncoding.UCS2, 71, 2),
        ("ç" + "a" * 133, SmsEncoding.UCS2, 134, 2),
        ("ç" + "a" * 134, SmsEncoding.UCS2, 135, 3),
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),  # emoji are surrogate pairs: two units each
        ("😀" * 36, SmsEncoding.UCS2, 72, 2),
    ],
)
def test_measure(text, encoding, units, segments):
    length = measure(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_an_extension_character_at_a_segment_boundary_moves_to_the_next_segment():
    text = "a" * 152 + "€" + "a" * 152  # the € does not fit into the first 153 septets
    assert measure(text).units == 306
    assert measure(text).segments == 3


def test_german_typography_is_replaced_so_the_text_stays_gsm7():
    text = "„Termin“ am 12.–13. März … bitte ‚pünktlich‘"
    assert encoding_of(text) is SmsEncoding.UCS2
    friendly = to_gsm_friendly(text)
    assert friendly == "\"Termin\" am 12.-13. März ... bitte 'pünktlich'"
    assert encoding_of(friendly) is SmsEncoding.GSM7


def test_a_text_within_the_limit_is_not_changed():
    assert fit_to_segments("a" * 306, 2) == "a" * 306


def test_a_long_text_is_cut_at_a_word_boundary_to_fit_the_segment_limit():
    text = "Erinnerung an Ihren Termin " * 30
    fitted = fit_to_segments(text, 2)
    assert measure(fitted).segments == 2
    assert fitted.endswith("...")
    assert fitted[:-3] == fitted[:-3].rstrip()
    assert text.startswith(fitted[:-3])


def test_cutting_a_ucs2_text_keeps_it_within_the_limit():
    fitted = fit_to_segments("Rückruf 😀 " * 40, 1)
    assert measure(fitted).segments == 1
