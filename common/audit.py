"""Who made a change, for the audit trail (django-simple-history).

A request's user is recorded by simple-history's HistoryRequestMiddleware (`history_user`). Changes made
by something other than a logged-in person (an API key, the phone agent, a Celery task) name their actor
with `acting_as(...)`; every historical record created meanwhile carries it in `history_actor`, which
otherwise names the request's user ("user:<username>").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

PHONE_AGENT = "phone-agent"
SYSTEM = "system"
ACTOR_MAX_LENGTH = 100

_actor: ContextVar[str] = ContextVar("history_actor", default="")


def api_key_actor(name: str) -> str:
    return f"api-key:{name}"[:ACTOR_MAX_LENGTH]


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute every change recorded inside the block to `actor` ("phone-agent", "api-key:<name>", ...)."""
    token = _actor.set(actor[:ACTOR_MAX_LENGTH])
    try:
        yield
    finally:
        _actor.reset(token)


def act_as(actor: str) -> None:
    """Name the actor until the enclosing `acting_as` block ends: for a door that learns who is acting
    part way through (the API: DRF checks the key after the view was entered)."""
    _actor.set(actor[:ACTOR_MAX_LENGTH])


def current_actor() -> str:
    return _actor.get()


def user_actor(username: str) -> str:
    return f"user:{username}"[:ACTOR_MAX_LENGTH]


def set_history_actor(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's `pre_create_historical_record` receiver (connected in CommonConfig.ready)."""
    if hasattr(history_instance, "history_actor"):
        history_instance.history_actor = current_actor() or _request_user_actor()


def _request_user_actor() -> str:
    """The logged-in user of the request being served, as HistoryRequestMiddleware recorded it."""
    from simple_history.models import HistoricalRecords

    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return user_actor(user.get_username())


def no_history_user(**kwargs: Any) -> None:
    """`get_user` for public-schema history: a company's users live in its own schema, so a foreign key
    to the public users table would name someone else; `history_actor` names them instead."""
    return None
