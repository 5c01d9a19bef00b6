"""Schemathesis over every operation of the published schema, through the WSGI app on Acme's host:
no 5xx and every answer matches the schema. Bounded: a few examples per operation, no shrinking."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.throttling import AddressThrottle, KeyThrottle
from tests.conftest import tenant_host

HOST = f"http://{tenant_host('acme')}"
# No 5xx, and every answer (status, content type, body) as the schema says. Not the strictness checks on
# requests: a business rule (an unknown branch id, a timezone name) refuses input the schema cannot describe.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(tenant_client, write_key, mitte, anna):
    loaded = schemathesis.openapi.from_dict(tenant_client.get("/api/v1/schema/?format=json").json())
    loaded.app = get_wsgi_application()
    # As Django's test client does: the test's transaction must survive the end of each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield loaded
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case, write_key, monkeypatch):
    unlimited = {"read": "100000/min", "write": "100000/min"}
    monkeypatch.setattr(KeyThrottle, "THROTTLE_RATES", unlimited)
    monkeypatch.setattr(AddressThrottle, "THROTTLE_RATES", unlimited)

    case.call_and_validate(base_url=HOST, headers={"Authorization": f"Bearer {write_key}"}, checks=CHECKS)
