"""The Cal.com stand-in lives with the product now (integrations.calcom.standin, also served by `make run`);
this name stays for the tests that import it from here."""

from integrations.calcom.standin import (
    RATE_LIMIT_MESSAGE,
    SLOT_TAKEN_MESSAGE,
    CalcomStandIn,
    Scripted,
    Seen,
    error_body,
    throttled,
)

__all__ = [
    "RATE_LIMIT_MESSAGE",
    "SLOT_TAKEN_MESSAGE",
    "CalcomStandIn",
    "Scripted",
    "Seen",
    "error_body",
    "throttled",
]
