"""Cal.com is reached only on a public address in production; the company cannot choose that address."""

import uuid
from dataclasses import replace

import pytest

from integrations.calcom.client import CalcomClient
from integrations.calcom.errors import CalcomUnavailable
from tests.common.outbound_listener import Listener
from tests.integrations.calcom.conftest import FAST


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def client_for(base_url: str, redis_client, namespace) -> CalcomClient:
    """The production wiring: no test HTTP client, so the shared guarded one is used."""
    settings = replace(FAST, base_url=base_url, attempts=2, connect_timeout=0.5, read_timeout=0.5)
    return CalcomClient(
        api_key=f"cal_test_{uuid.uuid4().hex}", redis_client=redis_client, key=namespace, settings=settings
    )


def test_a_calcom_base_url_on_the_loopback_address_is_unreachable_without_connecting(
    settings, listener, redis_client, namespace
):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(CalcomUnavailable, match="not contacted"):
        client_for(listener.url(), redis_client, namespace).me()
    assert listener.connections() == 0


def test_in_development_the_calcom_stand_in_is_reached_through_the_guarded_client(
    standin, redis_client, namespace
):
    assert "id" in client_for(standin.url, redis_client, namespace).me()
