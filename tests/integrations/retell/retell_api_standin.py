"""A local stand-in for Retell's API: the list of calls, as retell-sdk 6.2 calls it.

`Retell(...).call.list(...)` posts `{filter_criteria, limit, pagination_key, sort_order}` to
`POST /v3/list-calls` with `Authorization: Bearer <API key>` and reads `{items, has_more, pagination_key}`
(retell/resources/call.py, retell/types/call_list_params.py and call_list_response.py). Each API key is one
Retell account with its own calls; the call objects are the documented ones (shared/integrations/retell.md
§1.3, tests/factories/calls.py). A real threaded HTTP server, so the SDK's own httpx stack is exercised.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LIST_CALLS = "/v3/list-calls"


@dataclass
class Seen:
    path: str
    api_key: str
    body: dict[str, Any]


class RetellApiStandIn:
    def __init__(self) -> None:
        self.accounts: dict[str, list[dict[str, Any]]] = {}
        self.seen: list[Seen] = []
        self.ignore_filters = False  # a misbehaving list: every call of the account, whatever was asked
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RetellApiStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_call(self, api_key: str, call: dict[str, Any]) -> None:
        with self._lock:
            self.accounts.setdefault(api_key, []).append(call)

    # ----- behaviour --------------------------------------------------------------------------------

    def list_calls(self, api_key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if api_key not in self.accounts:
            return 401, {"status": 401, "message": "Unauthorized"}
        criteria = body.get("filter_criteria") or {}
        calls = [call for call in self.accounts[api_key] if self.ignore_filters or _matches(call, criteria)]
        calls.sort(
            key=lambda call: call.get("start_timestamp") or 0, reverse=body.get("sort_order") == "descending"
        )
        offset = int(body.get("pagination_key") or 0)
        limit = int(body.get("limit") or 50)
        page = calls[offset : offset + limit]
        has_more = offset + limit < len(calls)
        answer: dict[str, Any] = {"items": page, "has_more": has_more}
        if has_more:
            answer["pagination_key"] = str(offset + limit)
        return 200, answer

    # ----- HTTP plumbing ----------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                api_key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                with standin._lock:
                    standin.seen.append(Seen(self.path, api_key, body))
                    if self.path == LIST_CALLS:
                        status, answer = standin.list_calls(api_key, body)
                    else:
                        status, answer = 404, {"status": 404, "message": f"Cannot POST {self.path}"}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def _matches(call: dict[str, Any], criteria: dict[str, Any]) -> bool:
    """The filters reconciliation sends (string `eq` on numbers, `bt` range on start_timestamp), ANDed."""
    for name, condition in criteria.items():
        value = call.get(name)
        if condition["op"] == "eq" and value != condition["value"]:
            return False
        if condition["op"] == "bt":
            lower, upper = condition["value"]
            if value is None or not lower <= value <= upper:
                return False
        if condition["op"] not in ("eq", "bt"):
            raise ValueError(f"stand-in does not play filter {name}: {condition}")
    return True
