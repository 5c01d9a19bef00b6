"""API clients for Acme: `api` holds a read-write key, `reader` a read-only one (on Acme's host).

Throttle counters live in Redis; each test starts with empty buckets.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from api.models import ApiKey
from tests.conftest import tenant_host
from tests.factories.api import issue_key


@pytest.fixture(autouse=True)
def _empty_throttle_buckets():
    cache.clear()


def client_with(key: str, schema: str = "acme") -> Client:
    return Client(HTTP_HOST=tenant_host(schema), HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def write_key(company) -> str:
    return issue_key(ApiKey.Scope.READ_WRITE)


@pytest.fixture
def api(write_key) -> Client:
    return client_with(write_key)


@pytest.fixture
def reader(company) -> Client:
    return client_with(issue_key(ApiKey.Scope.READ, name="BI export"))
