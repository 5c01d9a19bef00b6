"""The bench's load generator: wrk with requests.lua sends the prepared requests, each thread its own
share, and the harness reads wrk's one JSON line (a second against a tiny local server; no timings)."""

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scripts.bench.load import Request, parse, run_wrk

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="Debian's wrk is not installed")


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn behind wrk
    seen: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.seen.append((self.path, self.headers["X-Token"], body))
        self.send_response(204 if self.path != "/fail" else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_wrk_sends_the_prepared_requests_with_their_headers_and_bodies(server):
    requests = [Request("POST", "/ok", {"X-Token": f"t{i}"}, f'{{"id": "ü{i}"}}'.encode()) for i in range(3)]

    result = run_wrk(server, requests, connections=2, seconds=1, threads=2)

    assert result.requests > 0 and result.errors == 0
    assert result.unique == min(3, result.requests + 2)  # in flight at the end may be sent, not answered
    tokens = {(path, token, body) for path, token, body in Recorder.seen}
    assert tokens <= {("/ok", r.headers["X-Token"], r.body) for r in requests}
    assert len(tokens) == 3


def test_answers_other_than_2xx_are_errors(server):
    result = run_wrk(server, [Request("POST", "/fail", {"X-Token": "x"}, b"{}")], connections=1, seconds=1)

    assert result.errors == result.requests > 0
    assert result.accepted == 0


def test_a_request_with_a_newline_cannot_be_written():
    with pytest.raises(ValueError, match="newline or tab"):
        Request("POST", "/ok", {}, b"{\n}").line()


def test_parse_reads_the_json_line_after_wrks_own_output():
    output = (
        "Running 1s test @ http://x\n"
        'BENCH_JSON {"requests": 10, "duration_us": 2000000, "connect": 0, "read": 1, "write": 0, '
        '"status": 2, "timeout": 0, "p50_us": 1500, "p95_us": 3000, "p99_us": 4000, "max_us": 9000, '
        '"sent": 11, "unique": 11}\n'
    )

    result = parse(output)

    assert (result.throughput, result.errors, result.p50_ms, result.accepted) == (5.0, 3, 1.5, 8)
