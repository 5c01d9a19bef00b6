"""The assignment strategies' ordering rules, on plain candidates (see callbacks.strategies)."""

from datetime import UTC, datetime

import pytest

from callbacks.strategies import Candidate, pick, pick_load_based, pick_round_robin
from tests.messages import english

EARLY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def test_preferred_staff_comes_first_even_when_busier():
    candidates = [Candidate(1, "Anna", 0), Candidate(2, "Ben", 4, is_preferred=True)]
    chosen = pick_load_based(candidates, service_name=None, branch_name="Mitte")
    assert chosen.staff_id == 2
    assert english(chosen.reason).startswith("preferred staff member")


def test_staff_who_last_handled_the_customer_comes_before_the_least_loaded():
    candidates = [Candidate(1, "Anna", 0), Candidate(2, "Ben", 3, last_handled_customer=True)]
    chosen = pick_load_based(candidates, service_name="Haircut", branch_name="Mitte")
    assert chosen.staff_id == 2
    assert english(chosen.reason) == "last handled this customer (3 open)"


def test_least_loaded_wins_and_the_reason_names_the_service():
    candidates = [Candidate(1, "Anna", 3), Candidate(2, "Ben", 2), Candidate(3, "Cem", 5)]
    chosen = pick_load_based(candidates, service_name="Haircut", branch_name="Mitte")
    assert chosen.staff_id == 2
    assert english(chosen.reason) == "least loaded of 3 eligible for Haircut: 2 open"


def test_without_a_service_the_reason_names_the_branch():
    chosen = pick_load_based([Candidate(1, "Anna", 1)], service_name=None, branch_name="Mitte")
    assert english(chosen.reason) == "least loaded of 1 eligible in Mitte: 1 open"


def test_equal_load_goes_to_who_was_assigned_least_recently():
    candidates = [
        Candidate(1, "Anna", 1, last_assigned_at=LATE),
        Candidate(2, "Ben", 1, last_assigned_at=EARLY),
    ]
    assert pick_load_based(candidates, service_name=None, branch_name="Mitte").staff_id == 2


def test_never_assigned_counts_as_least_recently_assigned():
    candidates = [Candidate(1, "Anna", 1, last_assigned_at=EARLY), Candidate(2, "Ben", 1)]
    assert pick_load_based(candidates, service_name=None, branch_name="Mitte").staff_id == 2


def test_full_tie_is_broken_by_id_so_the_result_is_deterministic():
    candidates = [
        Candidate(7, "Gül", 1, last_assigned_at=EARLY),
        Candidate(3, "Cem", 1, last_assigned_at=EARLY),
    ]
    assert pick_load_based(candidates, service_name=None, branch_name="Mitte").staff_id == 3
    assert pick_load_based(list(reversed(candidates)), service_name=None, branch_name="Mitte").staff_id == 3


def test_no_candidates_means_no_pick():
    assert pick_load_based([], service_name=None, branch_name="Mitte") is None
    assert pick_round_robin([], last_assigned_staff_id=None) is None


def test_round_robin_continues_after_the_last_assignee():
    candidates = [Candidate(5, "E", 9), Candidate(2, "B", 0), Candidate(9, "I", 0)]
    assert pick_round_robin(candidates, last_assigned_staff_id=2).staff_id == 5
    assert pick_round_robin(candidates, last_assigned_staff_id=5).staff_id == 9


def test_round_robin_wraps_around_to_the_first():
    candidates = [Candidate(2, "B", 0), Candidate(5, "E", 0)]
    assert pick_round_robin(candidates, last_assigned_staff_id=5).staff_id == 2


def test_round_robin_starts_at_the_first_when_nobody_was_assigned_yet():
    candidates = [Candidate(5, "E", 0), Candidate(2, "B", 0)]
    chosen = pick_round_robin(candidates, last_assigned_staff_id=None)
    assert chosen.staff_id == 2
    assert english(chosen.reason) == "round robin: 1 of 2 eligible"


def test_round_robin_continues_after_an_assignee_who_left_the_rotation():
    candidates = [Candidate(2, "B", 0), Candidate(5, "E", 0), Candidate(9, "I", 0)]
    assert pick_round_robin(candidates, last_assigned_staff_id=6).staff_id == 9


def test_round_robin_ignores_load():
    candidates = [Candidate(1, "A", 0), Candidate(2, "B", 8)]
    assert pick_round_robin(candidates, last_assigned_staff_id=1).staff_id == 2


def test_unknown_strategy_is_refused_by_name():
    with pytest.raises(ValueError, match="'fastest'"):
        pick("fastest", [], service_name=None, branch_name="Mitte", last_assigned_staff_id=None)
