"""Local stand-ins for the third parties we cannot reach from tests, built from their published contracts.

- `FakeTwilio`: the Messages resource of Twilio's REST API 2010-04-01 (form-encoded POST with basic auth,
  201 + Message JSON, errors as {"code", "message", "more_info", "status"}).
- `FakeSlack`: an incoming webhook (JSON body with "text", 200 "ok", plain-text errors).
- `SmtpServer`: a real SMTP server (aiosmtpd) that keeps what arrived.
"""

import base64
import json
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

E164 = re.compile(r"\+[1-9]\d{6,14}\Z")
ACCOUNT_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>AC\w+)\.json\Z")
MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json\Z")


@dataclass
class ForcedResponse:
    status: int
    body: str
    content_type: str = "application/json"


class _FakeHttpServer:
    """A threaded HTTP server on a local port (a free one unless given); subclasses answer POSTs."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict] = []
        self._forced: list[ForcedResponse] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                status, body, content_type = outer.answer(self.path, dict(self.headers), raw)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802 (http.server's naming)
                status, body, content_type = outer.answer(self.path, dict(self.headers), None)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "_FakeHttpServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def respond_next(self, status: int, body: dict | str, content_type: str = "application/json") -> None:
        """The next request gets this answer instead of the normal one (queue several for a sequence)."""
        text = json.dumps(body) if isinstance(body, dict) else body
        with self._lock:
            self._forced.append(ForcedResponse(status, text, content_type))

    def answer(self, path: str, headers: dict, raw: str) -> tuple[int, str, str]:
        with self._lock:
            forced = self._forced.pop(0) if self._forced else None
            self.requests.append({"path": path, "headers": headers, "raw": raw})
        if forced:
            return forced.status, forced.body, forced.content_type
        return self.handle(path, headers, raw)

    def handle(self, path: str, headers: dict, raw: str | None) -> tuple[int, str, str]:
        """`raw` is None for a GET."""
        raise NotImplementedError


def twilio_error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class FakeTwilio(_FakeHttpServer):
    """Accepts messages for one account; `landlines` are numbers Twilio reports as not SMS-capable."""

    def __init__(self, account_sid: str, auth_token: str, senders: set[str], port: int = 0) -> None:
        super().__init__(port)
        self.account_sid, self.auth_token, self.senders = account_sid, auth_token, senders
        self.messages: list[dict] = []
        self.landlines: set[str] = set()

    def handle(self, path, headers, raw):
        if raw is None:
            return self._account(path, headers)
        match = MESSAGES_PATH.match(path)
        if not match or match["sid"] != self.account_sid:
            return self._json(404, twilio_error(404, 20404, f"The requested resource {path} was not found"))
        if not self._authorised(headers.get("Authorization", "")):
            return self._json(401, twilio_error(401, 20003, "Authenticate"))
        form = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        error = self._validate(form)
        if error:
            return self._json(400, error)
        sid = "SM" + secrets.token_hex(16)
        self.messages.append({"sid": sid, **form})
        message = {
            "sid": sid,
            "status": "queued",
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "num_segments": "1",
            "error_code": None,
            "error_message": None,
        }
        return self._json(201, message)

    def _account(self, path: str, headers: dict) -> tuple[int, str, str]:
        """GET /2010-04-01/Accounts/{sid}.json: the account resource (the connection test reads it)."""
        match = ACCOUNT_PATH.match(path)
        if not match or match["sid"] != self.account_sid:
            return self._json(404, twilio_error(404, 20404, f"The requested resource {path} was not found"))
        if not self._authorised(headers.get("Authorization", "")):
            return self._json(401, twilio_error(401, 20003, "Authenticate"))
        return self._json(200, {"sid": self.account_sid, "friendly_name": "Acme", "status": "active"})

    def _authorised(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _validate(self, form: dict) -> dict | None:
        to, sender = form.get("To", ""), form.get("From", "")
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not form.get("Body"):
            return twilio_error(400, 21602, "Message body is required.")
        channel_prefix = "whatsapp:" if to.startswith("whatsapp:") else ""
        number = to.removeprefix(channel_prefix)
        if not E164.match(number):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if sender.removeprefix(channel_prefix) not in self.senders or not sender.startswith(channel_prefix):
            return twilio_error(
                400,
                21606,
                f"The From phone number {sender} is not a valid, SMS-capable inbound phone number "
                "or short code for your account.",
            )
        if number in self.landlines and not channel_prefix:
            return twilio_error(400, 21614, f"'To' number {to} is not a valid mobile number")
        return None

    @staticmethod
    def _json(status: int, body: dict) -> tuple[int, str, str]:
        return status, json.dumps(body), "application/json"


class FakeSlack(_FakeHttpServer):
    """An incoming webhook at /services/T000/B000/XXXX."""

    PATH = "/services/T000/B000/XXXX"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict] = []

    @property
    def webhook_url(self) -> str:
        return self.base_url + self.PATH

    def handle(self, path, headers, raw):
        if path != self.PATH:
            return 404, "no_service", "text/plain"
        try:
            payload = json.loads(raw)
        except ValueError:
            return 400, "invalid_payload", "text/plain"
        if not payload.get("text"):
            return 400, "no_text", "text/plain"
        self.posts.append(payload)
        return 200, "ok", "text/plain"


@dataclass
class ReceivedEmail:
    mail_from: str
    recipients: list[str]
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a long encoded subject is folded after "Subject:"

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""


class _MailboxHandler:
    def __init__(self, mailbox: "SmtpServer") -> None:
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.mailbox.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.mailbox.received.append(ReceivedEmail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on a free local port. `refused` addresses get 550 at RCPT TO."""

    def __init__(self) -> None:
        self.received: list[ReceivedEmail] = []
        self.refused: set[str] = set()
        self.port = free_port()
        self._controller = Controller(_MailboxHandler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
