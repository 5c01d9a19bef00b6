"""What `/healthz` checks: the database answers, Redis answers, and a Celery worker was alive recently.

Every worker writes its heartbeat (a timestamp in one Redis hash, field = worker hostname) when it is ready
and then every HEARTBEAT_SECONDS from a daemon thread, so a stuck or stopped fleet shows as stale.
"""

import threading
from functools import lru_cache
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

HEARTBEATS = "switchboard:worker-heartbeats"
HEARTBEAT_SECONDS = 30
STALE_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS
OK = "ok"
NO_WORKER = "down: no worker heartbeat"
_stop = threading.Event()


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    # Short timeouts: a load balancer's probe must get an answer even when Redis hangs.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def worker_heartbeat(hostname: str) -> None:
    _redis(settings.REDIS_URL).hset(HEARTBEATS, hostname, timezone.now().timestamp())


def _beat(hostname: str) -> None:
    while not _stop.wait(HEARTBEAT_SECONDS):
        try:
            worker_heartbeat(hostname)
        except redis.RedisError:
            continue  # Redis is down: /healthz says so; keep trying


@worker_ready.connect(dispatch_uid="common.health.worker_ready")
def start_heartbeat(sender: Any = None, **_: Any) -> None:
    hostname = getattr(sender, "hostname", "worker")
    _stop.clear()
    worker_heartbeat(hostname)
    threading.Thread(target=_beat, args=(hostname,), name="heartbeat", daemon=True).start()


@worker_shutdown.connect(dispatch_uid="common.health.worker_shutdown")
def stop_heartbeat(**_: Any) -> None:
    _stop.set()


def check_database(database: BaseDatabaseWrapper) -> str:
    try:
        with database.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return f"down: {exc.__class__.__name__}"
    return OK


def check_redis(client: redis.Redis) -> str:
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"down: {exc.__class__.__name__}"
    return OK


def check_workers(client: redis.Redis) -> str:
    try:
        beats = [float(value) for value in client.hvals(HEARTBEATS)]
    except redis.RedisError as exc:
        return f"unknown: {exc.__class__.__name__}"
    if not beats:
        return NO_WORKER
    age = timezone.now().timestamp() - max(beats)
    return OK if age <= STALE_AFTER_SECONDS else f"down: last heartbeat {int(age)} s ago"


def web_readiness(database: BaseDatabaseWrapper | None = None) -> dict[str, str]:
    """What a web node needs to serve: the database and Redis."""
    return {
        "database": check_database(database or connections["default"]),
        "redis": check_redis(_redis(settings.REDIS_URL)),
    }


def health_report(database: BaseDatabaseWrapper | None = None) -> dict[str, str]:
    """The whole system: what a web node needs, and a Celery worker alive recently."""
    return {**web_readiness(database), "workers": check_workers(_redis(settings.REDIS_URL))}
