"""Load from Debian's `wrk`: a file of prepared requests, requests.lua cycling through it, one result.

The harness builds every request beforehand (bodies signed with a fresh timestamp, unique call ids, cookies)
so the load generator does no work of ours; wrk reports latency percentiles, throughput and errors
(non-2xx/3xx answers and socket errors) as one JSON line that `run_wrk` reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("requests.lua")
HEADER_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def line(self) -> bytes:
        """One line of the request file; bodies are JSON without raw newlines or tabs (json.dumps escapes
        them), so a line holds exactly one request."""
        headers = HEADER_SEPARATOR.join(f"{name}: {value}" for name, value in self.headers.items())
        fields = [self.method.encode(), self.path.encode(), headers.encode(), self.body]
        if any(b"\n" in field or b"\t" in field for field in fields):
            raise ValueError(f"request for {self.path} has a newline or tab in a field")
        return b"\t".join(fields) + b"\n"


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    unique: int  # distinct requests sent; less than `requests` when the file was too short (wrapped)
    answered_ok: int  # 2xx/3xx answers

    @property
    def accepted(self) -> int:
        """Distinct requests certainly accepted: answered 2xx, at most once per distinct request."""
        return min(self.answered_ok, self.unique)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse(output: str) -> Result:
    """The BENCH_JSON line requests.lua prints at the end of wrk's output."""
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[key] for key in ("connect", "read", "write", "status", "timeout"))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        unique=data["unique"],
        answered_ok=data["requests"] - data["status"],
    )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("make bench needs Debian's wrk: apt-get install wrk")
    return found


def run_wrk(
    url: str, requests: Iterable[Request], *, connections: int, seconds: float, threads: int = 2
) -> Result:
    """Run wrk against `url` (scheme, host and port) cycling through `requests` for `seconds`."""
    threads = max(1, min(threads, connections))
    requests = list(requests)
    if len(requests) < threads:  # every thread needs a share (a share of one request repeats it)
        requests *= threads
    with tempfile.NamedTemporaryFile("wb", prefix="sb-bench-", suffix=".txt", delete=False) as file:
        for request in requests:
            file.write(request.line())
        path = Path(file.name)
    try:
        command = [wrk_binary(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s"]
        command += ["--timeout", "10s", "-s", str(SCRIPT), url, "--", str(path), str(threads)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or "BENCH_JSON" not in done.stdout:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
        return parse(done.stdout)
    finally:
        path.unlink(missing_ok=True)
