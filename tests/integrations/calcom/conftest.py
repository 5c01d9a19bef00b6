"""Fixtures for the Cal.com client: the real Redis (REDIS_URL), a local Cal.com stand-in, Prism."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import redis

from integrations.calcom.client import CalcomClient, ClientSettings
from tests.integrations.calcom.calcom_standin import CalcomStandIn

REPO_ROOT = Path(__file__).resolve().parents[3]
PRISM = REPO_ROOT / "node_modules" / ".bin" / "prism"
PRISM_START_SECONDS = 240
MOCK_SPEC = REPO_ROOT / "integrations" / "calcom" / "openapi" / "calcom-openapi-v2.mock.json"

# Short timeouts and backoff keep the failure tests fast; the shape of the behaviour is unchanged.
FAST = ClientSettings(
    connect_timeout=0.5,
    read_timeout=0.4,
    attempts=3,
    backoff_base=0.02,
    backoff_max=0.05,
    max_rate_wait=1.5,
    coalesce_wait=3.0,
)


@pytest.fixture(scope="session")
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))


@pytest.fixture
def namespace(redis_client: redis.Redis) -> Iterator[Callable[..., str]]:
    """A private Redis key space per test, standing in for one company's schema prefix."""
    prefix = f"test-calcom-{uuid.uuid4().hex[:8]}"
    yield lambda *parts: ":".join([prefix, *(str(p) for p in parts)])
    for key in redis_client.scan_iter(f"{prefix}:*"):
        redis_client.delete(key)


@pytest.fixture
def standin() -> Iterator[CalcomStandIn]:
    server = CalcomStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def make_client(redis_client, namespace, standin) -> Callable[..., CalcomClient]:
    """Clients against the stand-in; each test gets its own API key, hence its own rate-limit budget."""
    api_key = f"cal_test_{uuid.uuid4().hex}"
    created: list[httpx.Client] = []

    def build(key: Callable[..., str] | None = None, **overrides) -> CalcomClient:
        settings = replace(FAST, base_url=standin.url, **overrides)
        http = httpx.Client(
            base_url=standin.url,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout, write=1, pool=1
            ),
        )
        created.append(http)
        return CalcomClient(
            api_key=api_key, redis_client=redis_client, key=key or namespace, settings=settings, http=http
        )

    yield build
    for http in created:
        http.close()
    for leftover in redis_client.scan_iter("calcom:ratelimit:*"):
        if redis_client.ttl(leftover) == -1:
            redis_client.delete(leftover)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Prism serving Cal.com's own OpenAPI document: it rejects requests that break the contract (422)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Prism needs Node.js and npm: `apt-get install nodejs npm`; `make test` runs `npm ci`")
    if not PRISM.exists():
        pytest.skip("Prism is not installed: run `npm ci` at the repository root (`make test` does it)")
    port = _free_port()
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(MOCK_SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def contract_client(prism_url, redis_client, namespace) -> Iterator[CalcomClient]:
    """A client against Prism: Cal.com's published contract instead of our own reading of it."""
    http = httpx.Client(base_url=prism_url, timeout=10.0)
    yield CalcomClient(
        api_key=f"cal_test_{uuid.uuid4().hex}",
        redis_client=redis_client,
        key=namespace,
        settings=replace(FAST, base_url=prism_url, read_timeout=10.0),
        http=http,
    )
    http.close()


def _wait_until_listening(url: str, process: subprocess.Popen) -> None:
    # Prism parses the whole 500 kB document first: ~10 s on an idle machine, minutes on a loaded CI box.
    deadline = time.monotonic() + PRISM_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Prism exited with code {process.returncode}")
        try:
            httpx.get(f"{url}/v2/unknown-path", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"Prism did not start listening within {PRISM_START_SECONDS} s")
