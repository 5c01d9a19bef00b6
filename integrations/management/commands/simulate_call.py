"""`manage.py simulate_call booking --number "+49 30 55501000"`: a scripted phone call, posted to a running
server exactly as Retell would post it, so anyone can watch a call arrive in the back office.

Each request is signed with the key the server checks for that number (the company's Retell key, else the
platform's), and goes through the real endpoints: the inbound webhook, the agent's in-call functions, then
call_started, call_ended and call_analyzed. The scripts:

- callback: the caller wants to be called back (request_callback);
- booking: the caller books the first free time of a service (list_services, find_next_available,
  book_appointment);
- cancellation: the caller cancels their next appointment (find_my_appointments, cancel_appointment,
  a fee confirmed).
"""

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.phone import normalise_phone
from integrations.retell.routing import Route, route_call_to_company
from integrations.retell.signature import SIGNATURE_HEADER, sign

DEFAULT_URL = "http://localhost:8000"  # what `make run` serves (README)
DEFAULT_CALLER = "+4915112345678"
AGENT_ID = "agent_simulated_call"
# Retell's `call_status` in each report (docs: ongoing while the call runs, ended afterwards).
CALL_STATUS = {"call_started": "ongoing", "call_ended": "ended", "call_analyzed": "ended"}


class CallFailed(CommandError):
    """The server refused a request, or the script did not reach its outcome."""


class SimulatedCall:
    """One call on `route`'s number: signs and posts each step, and keeps the transcript."""

    def __init__(self, *, base_url: str, route: Route, caller: str, name: str, say: Callable[[str], None]):
        self.base_url, self.route, self.caller, self.name, self.say = (
            base_url.rstrip("/"),
            route,
            caller,
            name,
            say,
        )
        self.call_id = f"call_sim_{uuid.uuid4().hex[:20]}"
        self.started_ms = int(time.time() * 1000)
        self.lines: list[str] = []
        self.branch = ""

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(raw, self.route.signing_key)}
        response = httpx.post(f"{self.base_url}{path}", content=raw, headers=headers, timeout=30)
        if response.status_code >= 300:
            raise CallFailed(f"POST {path} answered {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else {}

    def call_object(self, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "call_type": "phone_call",
            "call_id": self.call_id,
            "agent_id": AGENT_ID,
            "call_status": status,
            "direction": "inbound",
            "from_number": self.caller,
            "to_number": self.route.number,
            "start_timestamp": self.started_ms,
            **extra,
        }

    def inbound(self) -> None:
        body = {
            "event": "call_inbound",
            "call_inbound": {
                "from_number": self.caller,
                "to_number": self.route.number,
                "agent_id": AGENT_ID,
            },
        }
        variables = (
            self.post("/webhooks/retell/inbound/", body).get("call_inbound", {}).get("dynamic_variables", {})
        )
        self.say(f"call_inbound: {variables.get('company_name', '')} answers {self.caller}")
        self.agent(f"Guten Tag, {variables.get('company_name', '')}, was kann ich für Sie tun?")

    def event(self, event: str, **extra: Any) -> None:
        self.post(
            "/webhooks/retell/",
            {"event": event, "call": self.call_object(CALL_STATUS[event], **extra)},
        )
        self.say(f"{event}: sent")

    def function(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call an in-call function; when it asks which branch, answer with the first it offers."""
        args = {**(args or {}), **({"branch": self.branch} if self.branch else {})}
        reply = self.post(
            "/webhooks/retell/functions/", {"name": name, "args": args, "call": self.call_object("ongoing")}
        )
        if reply.get("status") == "branch_needed" and reply.get("branches") and not self.branch:
            self.branch = reply["branches"][0]["name"]
            self.user(self.branch)
            return self.function(name, args)
        self.say(f"{name}: {reply.get('status', '')}")
        self.agent(reply.get("message", ""))
        return reply

    def agent(self, text: str) -> None:
        self.lines.append(f"Agent: {text}")
        self.say(f"  Agent: {text}")

    def user(self, text: str) -> None:
        self.lines.append(f"User: {text}")
        self.say(f"  Anrufer: {text}")

    def hang_up(self, summary: str, custom: dict[str, Any]) -> None:
        duration_ms = max(1000, int(time.time() * 1000) - self.started_ms)
        ended = {
            "end_timestamp": self.started_ms + duration_ms,
            "duration_ms": duration_ms,
            "disconnection_reason": "user_hangup",
            "transcript": "\n".join(self.lines) + "\n",
        }
        self.event("call_ended", **ended)
        analysis = {
            "call_summary": summary,
            "user_sentiment": "Positive",
            "call_successful": True,
            "in_voicemail": False,
            "custom_analysis_data": custom,
        }
        self.event("call_analyzed", **ended, call_analysis=analysis)


def expect(reply: dict[str, Any], *statuses: str) -> dict[str, Any]:
    if reply.get("status") not in statuses:
        raise CallFailed(
            f"expected {' or '.join(statuses)}, the agent got: {json.dumps(reply, ensure_ascii=False)}"
        )
    return reply


def callback_script(call: SimulatedCall, options: dict[str, Any]) -> str:
    call.user("Ich hätte gern einen Rückruf, es geht um meine Rechnung.")
    reply = call.function("request_callback", {"reason": "Frage zur Rechnung", "name": call.name})
    expect(reply, "callback_created", "callback_merged", "created", "merged")
    return f"callback request {reply.get('callback_id')}"


def booking_script(call: SimulatedCall, options: dict[str, Any]) -> str:
    call.user("Ich möchte einen Termin.")
    service = options["service"] or _first_service(call)
    call.user(f"{service}, bitte so bald wie möglich.")
    free = expect(call.function("find_next_available", {"service": service}), "available", "callback_queued")
    if free["status"] == "callback_queued":  # the calendar cannot be reached: the agent left a callback
        return f"no calendar to book in; callback request {free.get('callback_id')} instead"
    call.user("Ja, das passt.")
    args = {"service": service, "datetime": free["next_available"]["start"], "name": call.name}
    booked = expect(call.function("book_appointment", args), "booked")
    return f"appointment {booked.get('appointment_id')} at {free['next_available']['start']}"


def _first_service(call: SimulatedCall) -> str:
    services = call.function("list_services").get("services") or []
    if not services:
        raise CallFailed("the company offers no services to book")
    return services[0]["name"]


def cancellation_script(call: SimulatedCall, options: dict[str, Any]) -> str:
    call.user("Ich muss meinen Termin absagen.")
    found = call.function("find_my_appointments").get("appointments") or []
    if not found:
        raise CallFailed(
            f"{call.caller} has no upcoming appointment to cancel (run the booking script first)"
        )
    args = {"appointment_id": str(found[0]["appointment_id"]), "reason": "Ich bin krank."}
    reply = call.function("cancel_appointment", args)
    if reply.get("status") == "needs_confirmation":
        call.user("Ja, trotzdem absagen.")
        reply = call.function("cancel_appointment", {**args, "confirm": True})
    expect(reply, "cancelled")
    return f"appointment {reply.get('appointment_id')} cancelled"


SCRIPTS: dict[str, tuple[Callable[[SimulatedCall, dict[str, Any]], str], str, dict[str, Any]]] = {
    "callback": (
        callback_script,
        "Der Anrufer bittet um Rückruf wegen seiner Rechnung.",
        {"callback_wanted": True},
    ),
    "booking": (booking_script, "Der Anrufer hat einen Termin gebucht.", {"appointment_booked": True}),
    "cancellation": (
        cancellation_script,
        "Der Anrufer hat seinen Termin abgesagt.",
        {"appointment_cancelled": True},
    ),
}


class Command(BaseCommand):
    help = "Post a scripted phone call (signed Retell events and functions) to a running server."

    def add_arguments(self, parser):
        parser.add_argument("script", choices=sorted(SCRIPTS))
        parser.add_argument("--number", required=True, help="the company's number that is called")
        parser.add_argument("--url", default=DEFAULT_URL, help=f"the running server (default {DEFAULT_URL})")
        parser.add_argument(
            "--caller", default=DEFAULT_CALLER, help=f"the caller's number (default {DEFAULT_CALLER})"
        )
        parser.add_argument("--name", default="Paula Probe", help="the caller's name, when the agent asks")
        parser.add_argument("--service", default="", help="booking: the service (default the first offered)")

    def handle(self, *args, **options):
        try:
            number, caller = normalise_phone(options["number"]), normalise_phone(options["caller"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        route = route_call_to_company(number)
        if route is None:
            raise CommandError(f"no company answers {number} (platform admin: phone numbers)")
        call = SimulatedCall(
            base_url=options["url"], route=route, caller=caller, name=options["name"], say=self.stdout.write
        )
        script, summary, custom = SCRIPTS[options["script"]]
        self.stdout.write(f"{options['script']} call {call.call_id} to {route.company.name} ({number})")
        try:
            call.inbound()
            call.event("call_started")
            outcome = script(call, options)
            call.hang_up(summary, custom)
        except httpx.HTTPError as error:
            raise CommandError(f"{options['url']} cannot be reached: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"done: {outcome}"))
