"""The policy tests start with a cold cache; Anna (staff) and Max (manager) come from tests/personas.py."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from policies.selectors import policy_cache_invalidate


@pytest.fixture(autouse=True)
def _cold_policy_cache():
    """Redis outlives each test's rolled-back transaction: a table cached in a test must not leak."""
    yield

    for schema in ("acme", "globex"):
        connection.set_schema(schema)
        policy_cache_invalidate()
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English (the msgids), whatever the German catalogue says by then."""
    with translation.override("en"):
        yield


@pytest.fixture
def assert_data_queries():
    """Like django_assert_num_queries, but not counting django-tenants' `SET search_path` statements.

    Without TENANT_LIMIT_SET_CALLS every cursor re-issues it, which says nothing about the code under test.
    ``expected=None`` only records them (``context.data_queries``), to compare two runs.
    """

    @contextmanager
    def check(expected: int | None):
        with CaptureQueriesContext(connection) as context:
            yield context
        data = [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path")]
        context.data_queries = data
        if expected is not None:
            assert len(data) == expected, f"expected {expected} queries, got {len(data)}:\n" + "\n".join(data)

    return check
