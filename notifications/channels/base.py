"""What every channel takes and returns, and how it reports a failure."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for one recipient on one channel."""

    to: str
    text: str
    subject: str = ""
    html: str = ""
    reply_to: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the channel or provider acknowledged: its id for the message and anything worth keeping."""

    provider_message_id: str = ""
    details: dict = field(default_factory=dict)


class DeliveryError(Exception):
    """A send that did not go through.

    `permanent`: retrying the same message on the same channel cannot help (bad address, rejected by the
    provider, wrong credentials); the dispatcher goes straight to the fallback channel.
    `ambiguous`: the request may have reached the provider (timeout after sending), so sending again
    could deliver the message twice; the dispatcher neither retries nor falls back.
    """

    def __init__(self, message: str, *, permanent: bool = False, ambiguous: bool = False, code: str = ""):
        super().__init__(message)
        self.permanent = permanent or ambiguous
        self.ambiguous = ambiguous
        self.code = code


def is_transient_http_status(status: int) -> bool:
    """429 (rate limited) and 5xx are worth retrying; any other 4xx will fail the same way again."""
    return status == 429 or status >= 500
