"""Recognising our own changes when Cal.com echoes them back as webhooks.

Cal.com sends the webhook *before* it answers our API call (it awaits the send, calcom.md §2.3), so the
echo can be processed before our own transaction has committed. Bookings we create carry our reference in
their metadata; for cancellations and reschedules (whose webhooks do not identify the sender) we note the
change we are about to make here, and the webhook processing consumes the note.
"""

from common.cache import tenant_key
from common.redis import get_redis

ECHO_SECONDS = 600


def _key(trigger: str, uid: str) -> str:
    return tenant_key("calcom", "echo", trigger, uid)


def expect_echo(trigger: str, uid: str) -> None:
    get_redis().set(_key(trigger, uid), 1, ex=ECHO_SECONDS)


def forget_echo(trigger: str, uid: str) -> None:
    """Our call failed: Cal.com will send nothing, and a real change by the customer must not be ignored."""
    get_redis().delete(_key(trigger, uid))


def consume_echo(trigger: str, uid: str) -> bool:
    """True (once) when this webhook reports a change we made ourselves."""
    return bool(get_redis().getdel(_key(trigger, uid)))
