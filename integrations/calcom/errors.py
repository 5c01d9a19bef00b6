"""Typed Cal.com failures: callers decide by type, never by parsing messages.

- ``NoSlotsAvailable``: Cal.com answered, the wished time is simply not free (tell the caller, offer others).
- ``CalcomUnavailable``: we could not get an answer (network, timeout, 5xx, rate limit, open circuit):
  nothing the customer asked for may be lost, so the caller falls back to a callback request.
- ``CalcomRequestRejected``: Cal.com understood and refused our request (4xx): a bug or a config problem
  (wrong key, unknown event type), retrying will not help.
"""

from __future__ import annotations


class CalcomError(Exception):
    """Base class of everything the Cal.com client raises."""


class CalcomUnavailable(CalcomError):
    """Cal.com could not be reached or did not answer in time (after retries)."""


class CalcomCircuitOpen(CalcomUnavailable):
    """The company's circuit breaker is open: we do not even try for a while."""


class CalcomRateLimited(CalcomUnavailable):
    """Our API key used up its request budget; waiting longer than a caller can afford."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NoSlotsAvailable(CalcomError):
    """The requested time (or range) has no free slot."""


class CalcomRequestRejected(CalcomError):
    """Cal.com refused the request with a 4xx answer."""

    def __init__(self, message: str, *, status_code: int, code: str = "", request_id: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.request_id = request_id


class CalcomAuthenticationFailed(CalcomRequestRejected):
    """401/403: the company's API key is missing, wrong or lacks access."""


class CalcomNotFound(CalcomRequestRejected):
    """404: the booking or event type does not exist (for this key)."""


class SlotTaken(NoSlotsAvailable, CalcomRequestRejected):
    """Booking refused because the host is busy or the time is outside the bookable window."""
