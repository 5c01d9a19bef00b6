"""Shared by the property tests that touch the database."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back() -> Iterator[None]:
    """One hypothesis example's rows, undone afterwards (the test's own transaction spans all examples)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
