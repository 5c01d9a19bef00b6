"""Acme's calendar lives in a local Cal.com stand-in; the real Redis and PostgreSQL do the rest.

Jonas is a customer of Acme; Anna (staff) and Max (manager) of branch Mitte come from tests/personas.py.
Here, Mitte's haircut ("Haarschnitt") is booked in Cal.com's event type 4242.
"""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from common.redis import get_redis
from policies.selectors import policy_cache_invalidate
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.org import CustomerFactory, ServiceFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.personas import BERLIN

EVENT_TYPE = 4242


@pytest.fixture
def calcom(company, settings):
    """The company's Cal.com, played by the stand-in (fresh calendar, fresh Redis state per test)."""
    server = CalcomStandIn().start()
    company.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"  # its own rate-limit budget per test
    company.save()
    connection.set_tenant(company)
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {
            "base_url": server.url,
            "connect_timeout": 0.5,
            "read_timeout": 1.0,
            "attempts": 2,
            "backoff_base": 0.01,
            "backoff_max": 0.02,
        },
    }
    _forget_redis_state(company.schema_name)
    yield server
    server.stop()
    _forget_redis_state(company.schema_name)


@pytest.fixture(autouse=True)
def _cold_policy_cache(company):
    """Redis outlives each test's rolled-back transaction: a policy table cached in a test must not leak."""
    yield
    connection.set_tenant(company)
    policy_cache_invalidate()


def _forget_redis_state(schema: str) -> None:
    redis = get_redis()
    for key in redis.scan_iter(f"sb:{schema}:*"):
        redis.delete(key)


@pytest.fixture
def haircut(mitte):
    service = ServiceFactory(name="Haarschnitt", duration_minutes=30, price="40.00", branches=[mitte])
    EventTypeMappingFactory(service=service, event_type_id=EVENT_TYPE)
    return service


@pytest.fixture
def jonas(company):
    """Jonas is a customer of Acme."""
    return CustomerFactory(name="Jonas Weber", phone="+4915112345678", email="jonas@example.test")


def next_weekday_at(weekday: int, hour: int, minute: int = 0, weeks: int = 1) -> datetime:
    """A local Berlin time on a given weekday at least a few days ahead (bookable in the stand-in)."""
    today = timezone.now().astimezone(BERLIN).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    return datetime.combine(day, time(hour, minute), BERLIN)
