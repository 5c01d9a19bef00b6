"""Celery workers of the drill's own, killed with SIGKILL, and stand-ins that hold a job at a known point.

Each drill worker uses the test database and the test Redis, but the broker keys carry a prefix of their
own (`CELERY_BROKER_KEY_PREFIX`): its queue, and the "unacked" index Redis redelivers from, are invisible to
the session's shared worker, and its short visibility timeout never touches anybody else's messages.

The worker imports this module (`--include`) so that, in the worker only, email goes to the drill's SMTP
server (the test settings keep email in memory otherwise).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

VISIBILITY_TIMEOUT_SECONDS = 2
DEADLINE_SECONDS = 30
SMTP_PORT_VARIABLE = "DRILL_SMTP_PORT"


def _send_email_to_the_drill_smtp_server() -> None:
    """In a drill worker (started with DRILL_SMTP_PORT), email goes out over SMTP to the stand-in."""
    port = os.environ.get(SMTP_PORT_VARIABLE)
    if not port:
        return
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(port)
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


_send_email_to_the_drill_smtp_server()


def wait_until(condition: Callable[[], Any], what: str, *, worker: DrillWorker | None = None) -> Any:
    """Poll `condition` until it is truthy; fail after DEADLINE_SECONDS (or when `worker` died)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if worker is not None:
            worker.assert_alive()
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"not within {DEADLINE_SECONDS} s: {what}")


class DrillBroker:
    """One drill's corner of the test Redis: a key prefix, a queue, and sending tasks there."""

    def __init__(self) -> None:
        from django.conf import settings

        self.prefix = f"drill-{uuid.uuid4().hex[:8]}:"
        self.queue = f"drill-{uuid.uuid4().hex[:8]}"
        self.redis_url = settings.REDIS_URL

    def send(self, task, *args: Any) -> None:
        """Queue `task(*args)` for the drill's workers, in the schema the connection is on (as
        `enqueue_on_commit` does)."""
        from django.db import connection

        from common.tasks import SCHEMA_HEADER
        from config.celery import app

        options = {"global_keyprefix": self.prefix}
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False  # tests run tasks eagerly
        try:
            with app.connection_for_write(transport_options=options) as broker:
                task.apply_async(
                    args=args,
                    connection=broker,
                    queue=self.queue,
                    headers={SCHEMA_HEADER: connection.schema_name},
                )
        finally:
            app.conf.task_always_eager = eager

    def unacked_since(self) -> list[float]:
        """When each message a worker took but never acknowledged was taken (kombu's unacked index)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            taken = client.zrange(f"{self.prefix}unacked_index", 0, -1, withscores=True)
            return [score for _tag, score in taken]
        finally:
            client.close()

    def wait_until_redeliverable(self) -> None:
        """Until every unacknowledged message is older than the visibility timeout: a worker starting
        now puts them back on their queue (kombu restores visible messages when it starts polling)."""
        taken = wait_until(self.unacked_since, "the killed worker's job is recorded as unacknowledged")
        cutoff = max(taken) + VISIBILITY_TIMEOUT_SECONDS + 0.1
        wait_until(lambda: time.time() > cutoff, "the visibility timeout has passed")

    def forget(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            for key in client.scan_iter(f"{self.prefix}*"):
                client.delete(key)
        finally:
            client.close()


class DrillWorker:
    """A real Celery worker process (solo pool) on the drill's queue, to be SIGKILLed."""

    def __init__(self, broker: DrillBroker, name: str, extra_env: dict[str, str] | None = None) -> None:
        from django.db import connection

        from tests.conftest import database_url

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": broker.redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": broker.queue,
            "CELERY_BROKER_KEY_PREFIX": broker.prefix,
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT_SECONDS),
            "CELERY_TASK_TENANT_CACHE_SECONDS": "0",
            **(extra_env or {}),
        }
        log = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / f"{broker.queue}-{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", broker.queue]
        command += ["-n", f"{name}@{broker.queue}", "--include", __name__]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
        self.process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the drill worker exited; see {self.log}"

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or put back by the worker itself."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=DEADLINE_SECONDS)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=DEADLINE_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class HoldingSmtpServer:
    """A real SMTP server that takes the whole message, keeps it, and only answers once released.

    `received` fills when the message's DATA has arrived: the mail is with the server, the sender is still
    waiting for the 250 — the moment a dying worker leaves the outcome unknown.
    """

    def __init__(self) -> None:
        from tests.notifications.fakes import free_port

        self.received: list[EmailMessage] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, DEADLINE_SECONDS)
        return "250 Message accepted for delivery"

    def start(self) -> HoldingSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._controller.stop()


def calcom_client_environment(base_url: str) -> dict[str, str]:
    """The platform's Cal.com client for a drill worker: the stand-in, one attempt, a long read timeout
    (the worker must still be waiting for the answer when it is killed)."""
    client = {"base_url": base_url, "connect_timeout": 1.0, "read_timeout": 60.0, "attempts": 1}
    return {"SWITCHBOARD_CALCOM_CLIENT": json.dumps(client)}


def backends_blocked_by(pid: int) -> list[int]:
    """Database backends waiting for a lock the backend `pid` holds (pg_blocking_pids)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return [row[0] for row in cursor.fetchall()]
