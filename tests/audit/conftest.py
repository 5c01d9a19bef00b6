"""Ada (Acme's admin), Max (manager) and Anna (staff) from tests/personas.py, logged in on Acme's host."""

import pytest
from django.test import Client

from tests.conftest import tenant_host


@pytest.fixture
def as_user(company):
    """`as_user(staff)` → a test client logged in as that staff member on Acme's host."""

    def login(staff) -> Client:
        client = Client(HTTP_HOST=tenant_host(company.schema_name))
        client.force_login(staff.user)
        return client

    return login
