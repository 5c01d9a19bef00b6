"""Assignment strategies: pure ranking over candidates the assignment module has already loaded and locked.

Kept free of the ORM so the ordering rules (preferred staff first, ties broken by who was assigned least
recently, then by id) can be read and tested on their own.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from common.messages import Stored, message

LOAD_BASED = "load_based"
ROUND_ROBIN = "round_robin"
STRATEGIES: tuple[str, ...] = (LOAD_BASED, ROUND_ROBIN)

UNKNOWN_STRATEGY = "Unknown assignment strategy {strategy!r}; choose one of: load_based, round_robin."


@dataclass(frozen=True)
class Candidate:
    """One eligible staff member, with the facts the strategies rank by."""

    staff_id: int
    name: str
    open_callbacks: int
    last_assigned_at: datetime | None = None
    is_preferred: bool = False
    last_handled_customer: bool = False


@dataclass(frozen=True)
class Pick:
    staff_id: int
    reason: Stored  # a `common.messages` stored form, rendered in the reader's language


def _least_recently_assigned_first(candidate: Candidate) -> tuple[bool, datetime | None, int]:
    # Never assigned sorts before any timestamp; the id makes the order total, so the result is deterministic.
    never = candidate.last_assigned_at is None
    return (not never, candidate.last_assigned_at, candidate.staff_id)


def _load_key(candidate: Candidate) -> tuple[int, bool, datetime | None, int]:
    return (candidate.open_callbacks, *_least_recently_assigned_first(candidate))


def pick_load_based(
    candidates: Sequence[Candidate], *, service_name: str | None, branch_name: str
) -> Pick | None:
    """Preferred staff, then the person who last handled this customer, then the least loaded.

    Every candidate is already eligible (which includes handling the service when one is set), so
    "fewest open among those who handle the service" and "least loaded in the branch" differ only in
    the reason they give.
    """
    if not candidates:
        return None
    for candidate in candidates:
        if candidate.is_preferred:
            return Pick(candidate.staff_id, message("preferred_staff", count=candidate.open_callbacks))
    for candidate in candidates:
        if candidate.last_handled_customer:
            return Pick(candidate.staff_id, message("last_handler", count=candidate.open_callbacks))
    chosen = min(candidates, key=_load_key)
    counts = {"eligible": len(candidates), "count": chosen.open_callbacks}
    if service_name:
        return Pick(chosen.staff_id, message("least_loaded_for_service", service=service_name, **counts))
    return Pick(chosen.staff_id, message("least_loaded_in_branch", branch=branch_name, **counts))


def pick_round_robin(candidates: Sequence[Candidate], *, last_assigned_staff_id: int | None) -> Pick | None:
    """Eligible staff in a fixed order (by id), continuing after the last one assigned in the branch.

    When the last assignee is no longer eligible the rotation continues with the next id after theirs,
    so nobody is skipped twice in a row.
    """
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: c.staff_id)
    chosen = ordered[0]
    if last_assigned_staff_id is not None:
        after = [c for c in ordered if c.staff_id > last_assigned_staff_id]
        chosen = after[0] if after else ordered[0]
    position = ordered.index(chosen) + 1
    return Pick(chosen.staff_id, message("round_robin", position=position, eligible=len(ordered)))


def pick(
    strategy: str,
    candidates: Sequence[Candidate],
    *,
    service_name: str | None,
    branch_name: str,
    last_assigned_staff_id: int | None,
) -> Pick | None:
    if strategy == LOAD_BASED:
        return pick_load_based(candidates, service_name=service_name, branch_name=branch_name)
    if strategy == ROUND_ROBIN:
        return pick_round_robin(candidates, last_assigned_staff_id=last_assigned_staff_id)
    raise ValueError(UNKNOWN_STRATEGY.format(strategy=strategy))
