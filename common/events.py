"""Domain events: the one way services tell the rest of the system that something happened.

`emit` runs every subscriber synchronously, inside the caller's transaction, so a subscriber's rows
(notification deliveries, outbound webhook rows) commit or roll back together with the change itself.
Subscribers that do slow work queue a task with `common.tasks.enqueue_on_commit`.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: dict[str, Any]
    occurred_at: datetime = field(default_factory=timezone.now)

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.payload.get(key, default)


Subscriber = Callable[[DomainEvent], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(name: str, handler: Subscriber) -> None:
    """Subscribe to one event (`callback.assigned`), a family (`callback.*`) or everything (`*`)."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Subscriber) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def subscribers_for(name: str) -> list[Subscriber]:
    family = name.split(".", 1)[0] + ".*"
    return [*_subscribers.get(name, []), *_subscribers.get(family, []), *_subscribers.get("*", [])]


def emit(name: str, **payload: Any) -> DomainEvent:
    event = DomainEvent(name=name, payload=payload)
    logger.debug("domain event %s", name)
    for handler in subscribers_for(name):
        handler(event)
    return event
