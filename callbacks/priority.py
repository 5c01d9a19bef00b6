"""Priority rules for callback requests: pure functions, no database.

The service gathers the facts (is the customer a VIP, how many appointments did they cancel recently, what
do the notes say) and asks this module for the priority; the rules live here once.
"""

import re

URGENT = "urgent"
HIGH = "high"
NORMAL = "normal"

# Lowest to highest; escalation raises a callback one step along this ladder.
PRIORITY_LADDER: tuple[str, ...] = (NORMAL, HIGH, URGENT)

# German and English. Matched at the start of a word so "Notfalltermin", "dringende" and "urgently" count,
# while "insurgent" does not.
URGENT_WORDS: tuple[str, ...] = ("dringend", "sofort", "notfall", "urgent", "asap", "emergency")
_URGENT_WORDS_RE = re.compile(r"\b(?:" + "|".join(URGENT_WORDS) + r")", re.IGNORECASE)


def mentions_urgency(notes: str) -> bool:
    """True when the notes contain one of the urgent words (German or English)."""
    return bool(_URGENT_WORDS_RE.search(notes or ""))


def automatic_priority(
    *, is_vip: bool, recent_cancellations: int, notes: str, cancellation_threshold: int = 2
) -> str:
    """The priority of a callback for which nobody chose one.

    VIP customer -> urgent; `cancellation_threshold` or more recently cancelled appointments -> high;
    urgent words in the notes -> high; otherwise normal.
    """
    if is_vip:
        return URGENT
    if recent_cancellations >= cancellation_threshold:
        return HIGH
    if mentions_urgency(notes):
        return HIGH
    return NORMAL


def raised_priority(priority: str) -> str:
    """One step up the ladder; urgent stays urgent."""
    position = PRIORITY_LADDER.index(priority)
    return PRIORITY_LADDER[min(position + 1, len(PRIORITY_LADDER) - 1)]


def higher_priority(first: str, second: str) -> str:
    """The more pressing of two priorities."""
    return max(first, second, key=PRIORITY_LADDER.index)
