"""Automatic priority when nobody chose one (pure rules, see callbacks.priority)."""

import pytest

from callbacks.priority import HIGH, NORMAL, URGENT, automatic_priority, higher_priority, raised_priority


def test_vip_customer_is_urgent():
    assert automatic_priority(is_vip=True, recent_cancellations=0, notes="") == URGENT


def test_vip_wins_over_every_other_rule():
    assert automatic_priority(is_vip=True, recent_cancellations=5, notes="dringend") == URGENT


def test_two_recent_cancellations_make_it_high():
    assert automatic_priority(is_vip=False, recent_cancellations=2, notes="") == HIGH


def test_one_recent_cancellation_stays_normal():
    assert automatic_priority(is_vip=False, recent_cancellations=1, notes="") == NORMAL


@pytest.mark.parametrize(
    "notes",
    [
        "Bitte dringend zurückrufen",
        "SOFORT melden",
        "Notfalltermin gewünscht",
        "it's urgent",
        "call back ASAP please",
        "Emergency with the booking",
        "dringende Sache",
    ],
)
def test_urgent_words_in_german_or_english_make_it_high(notes):
    assert automatic_priority(is_vip=False, recent_cancellations=0, notes=notes) == HIGH


@pytest.mark.parametrize("notes", ["", "Bitte morgen anrufen", "insurgent band rehearsal", "wants a haircut"])
def test_ordinary_notes_stay_normal(notes):
    assert automatic_priority(is_vip=False, recent_cancellations=0, notes=notes) == NORMAL


def test_raising_priority_climbs_one_step_and_stops_at_urgent():
    assert raised_priority(NORMAL) == HIGH
    assert raised_priority(HIGH) == URGENT
    assert raised_priority(URGENT) == URGENT


def test_higher_priority_never_downgrades():
    assert higher_priority(URGENT, NORMAL) == URGENT
    assert higher_priority(NORMAL, HIGH) == HIGH
