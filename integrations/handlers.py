"""Wiring other apps' domain events to the inbox (subscribed in `IntegrationsConfig.ready`)."""

from common.events import DomainEvent


def scrub_for_anonymised_customer(event: DomainEvent) -> None:
    """Part of the anonymisation's transaction: a failure here undoes the whole erasure."""
    from integrations.privacy import webhook_events_anonymise

    webhook_events_anonymise(
        customer=event["customer"], phone=event.get("phone", ""), email=event.get("email", "")
    )


def branch_directory_forget_on_commit(**_signal) -> None:
    """A branch, its hours, closures or services changed: the phone agent's cached branch directory goes.

    Dropped at once (this connection must read its own change) and again once the change commits (a call
    meanwhile may have cached the directory as it was before).
    """
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from common.redis import cached_forget
    from integrations.retell.selectors import BRANCH_DIRECTORY_KEY

    schema = connection.schema_name
    cached_forget(BRANCH_DIRECTORY_KEY)

    def forget_after_commit() -> None:
        with schema_context(schema):
            cached_forget(BRANCH_DIRECTORY_KEY)

    transaction.on_commit(forget_after_commit)
