"""Storing a delivery into the inbox (WebhookEvent): once per identity, the INSERT first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from integrations.models import WebhookEvent


def inbox_store(
    *, identity: dict[str, str], fields: dict[str, Any], on_new: Callable[[WebhookEvent], None]
) -> tuple[WebhookEvent, bool]:
    """Store a delivery unless one with the same `identity` (source, event, external id) is stored already;
    `on_new` runs in the storing transaction (to queue its processing on commit).

    A new delivery is the usual case, so the INSERT comes first: one statement, with no SELECT before it
    and no savepoint around it (get_or_create needs both). A duplicate violates `webhook_event_once`, its
    transaction rolls back, and the stored row is read instead.
    """
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(**identity, **fields)
            on_new(stored)
    except IntegrityError:
        return WebhookEvent.objects.get(**identity), False
    return stored, True
