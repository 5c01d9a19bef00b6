"""`python -m scripts.bench` (make bench): start the stack, run the scenarios, print and write the table.

BENCH_SECONDS (30) is each load's length; BENCH_RATE_GUESS (300) requests per second sizes the files of
pre-signed requests (a thread that runs out wraps around and the table's exactly-once row shows it);
BENCH_JSON (test-artifacts/bench.json) is where the table goes; BENCH_SCENARIOS (all, comma-separated)
picks scenarios.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scripts.bench import admin_list, assignment, availability, intake, intake_others, sla
from scripts.bench.companies import run as companies_run
from scripts.bench.company import provision
from scripts.bench.stack import CELERY_CONCURRENCY, WEB_WORKERS, Stack, stack_start
from scripts.bench.table import Row, render, write_json

SCENARIOS: dict[str, Callable[..., list[Row]]] = {
    "intake": intake.run,
    "intake-others": intake_others.run,
    "availability": availability.run,
    "admin": admin_list.run,
    "assignment": assignment.run,
    "sla": sla.run,
    "companies": companies_run,  # last: it leaves 500 companies behind
}


def main() -> int:
    seconds = float(os.environ.get("BENCH_SECONDS", "30"))
    rate_guess = int(os.environ.get("BENCH_RATE_GUESS", "300"))
    output = Path(os.environ.get("BENCH_JSON", "test-artifacts/bench.json"))
    chosen = os.environ.get("BENCH_SCENARIOS", ",".join(SCENARIOS)).split(",")
    started = time.monotonic()
    stack: Stack = stack_start()
    rows: list[Row] = []
    try:
        stack.start_web()
        stack.start_worker()
        provision(stack)
        for name in chosen:
            rows += SCENARIOS[name](stack, seconds=seconds, rate_guess=rate_guess)
    finally:
        stack.stop()
        if rows:
            print(render(rows), flush=True)
            context = {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "gunicorn_workers": WEB_WORKERS,
                "celery_concurrency": CELERY_CONCURRENCY,
                "seconds_per_load": seconds,
                "wall_seconds": round(time.monotonic() - started, 1),
            }
            write_json(rows, output, **context)
            print(f"written to {output}")
    return 0 if all(row.verdict() != "MISSED" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
