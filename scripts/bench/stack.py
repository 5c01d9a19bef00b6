"""The bench's own stack: throwaway PostgreSQL and Redis, gunicorn and a Celery worker on them.

The servers come from the drills' helpers (tests/drills/conftest.py: free ports, temporary directories,
Debian's binaries or the pip-installed ones); nothing touches the machine's shared servers or the demo.
Unlike the drills, PostgreSQL keeps fsync on: a benchmark measures what production would write.
gunicorn runs config/gunicorn.py with config.settings_production and BENCH_FLOOR=on (the floor view).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.drills.conftest import (
    ARTIFACTS,
    ROOT,
    Postgres,
    RedisServer,
    _stack_env,
    free_port,
    wait_until,
)

COMPANY = "bench"
FLOOR_TABLE = "CREATE TABLE public.bench_floor (id bigserial PRIMARY KEY, body text NOT NULL)"
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))


class BenchPostgres(Postgres):
    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data / "db"), "-l", str(self.log), "-o", options, "-w", "start")


@dataclass
class Stack:
    postgres: Postgres
    redis: RedisServer
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    url: str = ""
    web: subprocess.Popen | None = None

    def sql(self, query: str, *params: Any, schema: str = COMPANY) -> list[tuple]:
        with self.postgres.connect() as conn:
            conn.execute(f"SET search_path TO {schema}, public")
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, query: str, *params: Any, schema: str = COMPANY) -> Any:
        return self.sql(query, *params, schema=schema)[0][0]

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str) -> str:
        """Run `code` in a Django shell of the bench's settings (provisioning, data generation)."""
        return self.manage("shell", stdin=code)

    def start_web(self, **extra_env: str) -> None:
        port = free_port()
        log = ARTIFACTS / f"bench-gunicorn-{port}.log"
        env = {**self.env, **extra_env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        env["WEB_CONCURRENCY"] = str(WEB_WORKERS)
        command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.web = process
        self.url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}")
            try:
                return httpx.get(self.url + "/readyz", headers={"Host": "localhost"}, timeout=5).is_success
            except httpx.HTTPError:
                return False

        wait_until(ready, "gunicorn answers /readyz")

    def restart_web(self, **extra_env: str) -> None:
        """A new gunicorn with these environment variables on top (a scenario's own settings)."""
        if self.web is not None:
            _stop(self.web)
            self.processes.remove(self.web)
        self.start_web(**extra_env)

    def start_worker(self) -> None:
        log = ARTIFACTS / "bench-worker.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", str(CELERY_CONCURRENCY)]
        command += ["-n", "bench@%h", "--without-gossip", "--without-mingle", "-l", "warning"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self.processes.append(process)

    def stop(self) -> None:
        for process in reversed(self.processes):
            _stop(process)
        self.redis.destroy()
        self.postgres.destroy()


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stack_start() -> Stack:
    """Servers up, shared schema migrated, the floor's table created; web and worker not yet started."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    postgres, redis_server = BenchPostgres(), RedisServer()
    prometheus_dir = tempfile.mkdtemp(prefix="sb-bench-prometheus-")
    env = {**_stack_env(postgres, redis_server, prometheus_dir), "BENCH_FLOOR": "on"}
    stack = Stack(postgres, redis_server, env)
    try:
        stack.manage("migrate_schemas", "--shared", "-v", "0")
        with postgres.connect() as conn:
            conn.execute(FLOOR_TABLE)
    except BaseException:
        stack.stop()
        raise
    return stack
