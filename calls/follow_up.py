"""Did a call end without reaching its goal, so that somebody should call the customer back? (pure)"""

from dataclasses import dataclass
from typing import Any

NOT_SUCCESSFUL = "not_successful"
ASKED_FOR_CALLBACK = "asked_for_callback"
DROPPED_MID_BOOKING = "dropped_mid_booking"
REACHED_VOICEMAIL = "reached_voicemail"

CALLBACK_FLAGS = ("needs_callback", "callback_requested", "wants_callback", "callback", "rueckruf")
TRUE_WORDS = {"true", "yes", "ja", "1", "y"}
BOOKING_FUNCTIONS = {"check_availability", "find_next_available", "reserve_slot", "book_appointment",
                     "reschedule_appointment"}  # fmt: skip
DONE_FUNCTIONS = {"book_appointment", "reschedule_appointment", "cancel_appointment", "request_callback"}
AGENT_ENDED = {"agent_hangup", "call_transfer", "transfer_bridged"}


@dataclass(frozen=True)
class CallOutcome:
    successful: bool | None
    in_voicemail: bool | None
    custom_analysis: dict[str, Any]
    disconnection_reason: str
    functions_tried: frozenset[str]
    functions_done: frozenset[str]


def follow_up_reason(outcome: CallOutcome) -> str | None:
    """Why this call needs a callback (a module constant), or None when it reached its goal."""
    if "request_callback" in outcome.functions_done:
        return None  # the agent already left one during the call
    if _asked_for_callback(outcome.custom_analysis):
        return ASKED_FOR_CALLBACK
    if outcome.functions_done & DONE_FUNCTIONS:
        return None
    if outcome.in_voicemail:
        return REACHED_VOICEMAIL
    if outcome.functions_tried & BOOKING_FUNCTIONS and outcome.disconnection_reason not in AGENT_ENDED:
        return DROPPED_MID_BOOKING
    if outcome.successful is False:
        return NOT_SUCCESSFUL
    return None


def _asked_for_callback(analysis: dict[str, Any]) -> bool:
    return any(_truthy(analysis.get(flag)) for flag in CALLBACK_FLAGS)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in TRUE_WORDS
