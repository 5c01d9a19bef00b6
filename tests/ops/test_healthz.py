"""/healthz answers the load balancer: 200 when database, Redis and a Celery worker are fine, else 503 naming
what is down."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.test import override_settings

from common.health import HEARTBEATS, NO_WORKER, OK, health_report, worker_heartbeat
from common.redis import get_redis

pytestmark = pytest.mark.django_db
CLOSED_PORT = 1  # nothing listens on port 1


@pytest.fixture(autouse=True)
def no_heartbeats():
    get_redis().delete(HEARTBEATS)
    yield
    get_redis().delete(HEARTBEATS)


def test_healthz_is_ok_when_database_redis_and_a_worker_are_alive(public_client):
    worker_heartbeat("celery@web-1")
    response = public_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": OK, "redis": OK, "workers": OK}


def test_healthz_names_the_workers_when_none_ever_beat(public_client):
    response = public_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["workers"] == NO_WORKER


def test_healthz_names_the_workers_when_their_heartbeat_is_stale(public_client, clock):
    worker_heartbeat("celery@web-1")
    clock.shift(timedelta(minutes=10))
    response = public_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["workers"].startswith("down: last heartbeat 6")
    assert response.json()["database"] == OK


@override_settings(REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0")
def test_healthz_names_redis_when_it_is_unreachable(public_client):
    response = public_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down: ConnectionError"
    assert response.json()["database"] == OK


def test_health_report_names_the_database_when_it_is_unreachable():
    # The request itself needs the database (tenant routing), so this path is checked one level down,
    # against a real connection to a closed port.
    unreachable = ConnectionHandler({"default": {**settings.DATABASES["default"], "HOST": "127.0.0.1"}})
    unreachable["default"].settings_dict["PORT"] = CLOSED_PORT
    try:
        assert health_report(database=unreachable["default"])["database"] == "down: OperationalError"
    finally:
        unreachable.close_all()


@pytest.mark.worker
def test_a_running_celery_worker_writes_the_heartbeat(celery_worker_process, public_client):
    deadline = time.monotonic() + 60
    while not get_redis().hlen(HEARTBEATS) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert public_client.get("/healthz").status_code == 200


def test_readyz_keeps_a_web_node_in_the_load_balancer_while_only_the_workers_are_down(public_client):
    response = public_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": OK, "redis": OK}


@override_settings(REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0")
def test_readyz_takes_a_web_node_out_when_redis_is_unreachable(public_client):
    response = public_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down: ConnectionError"
