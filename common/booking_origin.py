"""A signed hand-over from the callback screen to the booking screen.

Callbacks and appointments do not import each other. The callback page (which has already decided that the
user may see the callback) signs what the booking screen needs to know about it: the callback, the customer
(or the caller's name, number and email when there is no customer record yet) and the wished branch,
service and staff member. The booking screen trusts a token only for the user it was made for and only for
a working day, so a link copied to a colleague, or an old one, is refused rather than silently reused.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

SALT = "switchboard.booking-origin"
MAX_AGE_SECONDS = 12 * 3600


def origin_token(*, user_id: int, facts: dict[str, Any]) -> str:
    """`facts`: plain JSON values (ids and strings) describing the callback the booking settles."""
    return signing.dumps({"user": user_id, **facts}, salt=SALT, compress=True)


def origin_facts(token: str, *, user_id: int) -> dict[str, Any] | None:
    """The facts of a token made for this user in the last 12 hours; None for anything else."""
    try:
        facts = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(facts, dict) or facts.pop("user", None) != user_id:
        return None
    return facts
