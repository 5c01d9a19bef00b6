"""The shape of what Retell posts to us, checked before anything else looks at it.

Three envelopes (see shared/integrations/retell.md): call events `{event, call}`, the inbound webhook
`{event: "call_inbound", call_inbound: {from_number, to_number, ...}}` and custom functions
`{name, call, args}`. Only the fields we route and key on are required; everything else in Retell's call
object is optional and kept as sent. Errors carry a reason naming the field (module constants).
"""

from dataclasses import dataclass, field
from typing import Any

from calls.models import Call, FunctionInvocation
from common.webhook_body import MALFORMED_JSON, NOT_AN_OBJECT, BodyRejected, max_length, parse_json_object
from integrations.models import WebhookEvent

__all__ = ["MALFORMED_JSON", "NOT_AN_OBJECT"]  # re-exported: the envelope errors name them
MISSING_FIELD = "Missing field: {field}."
NOT_A_STRING = "Field {field} must be a non-empty string."
NOT_AN_OBJECT_FIELD = "Field {field} must be an object."
WRONG_EVENT = "Field event must be {expected}."

INBOUND = "inbound"
OUTBOUND = "outbound"


class PayloadError(ValueError):
    """The request cannot be used; `reason` says why and `field` names what (answered with 400)."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _call_limits(prefix: str) -> dict[str, int]:
    """What Retell's call object writes into Call's columns (recording_url is dropped when unusable)."""
    columns = {
        "call_id": "retell_call_id",
        "agent_id": "agent_id",
        "from_number": "from_number",
        "to_number": "to_number",
        "call_status": "status",
        "disconnection_reason": "disconnection_reason",
        "call_analysis.user_sentiment": "sentiment",
    }
    return {f"{prefix}{key}": max_length(Call, column) for key, column in columns.items()}


EVENT_LIMITS = {"event": max_length(WebhookEvent, "event"), **_call_limits("call.")}
FUNCTION_LIMITS = {"name": max_length(FunctionInvocation, "name"), **_call_limits("call.")}
INBOUND_LIMITS = {
    "event": max_length(WebhookEvent, "event"),
    **{f"call_inbound.{key}": max_length(Call, key) for key in ("from_number", "to_number", "agent_id")},
    "call_inbound.call_id": max_length(Call, "retell_call_id"),
}


@dataclass(frozen=True)
class CallEvent:
    event: str
    call: dict[str, Any]
    body: dict[str, Any] = field(default_factory=dict)  # all of it (transfer events carry more than `call`)

    @property
    def call_id(self) -> str:
        return self.call["call_id"]

    @property
    def company_number(self) -> str:
        return company_number(self.call)


@dataclass(frozen=True)
class InboundCall:
    from_number: str
    to_number: str
    agent_id: str = ""
    call_id: str = ""

    @property
    def company_number(self) -> str:
        return self.to_number


@dataclass(frozen=True)
class FunctionCall:
    name: str
    call: dict[str, Any]
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def call_id(self) -> str:
        return self.call["call_id"]

    @property
    def company_number(self) -> str:
        return company_number(self.call)


def company_number(call: dict[str, Any]) -> str:
    """Our side of the call: the number that was dialled (inbound) or that dialled out (outbound)."""
    key = "from_number" if call.get("direction") == OUTBOUND else "to_number"
    return _string(call, key, prefix="call.")


def caller_number(call: dict[str, Any]) -> str:
    """The customer's side of the call ("" when withheld)."""
    key = "to_number" if call.get("direction") == OUTBOUND else "from_number"
    value = call.get(key)
    return value if isinstance(value, str) else ""


def parse_call_event(raw: bytes) -> CallEvent:
    body = _object(raw, EVENT_LIMITS)
    event = _string(body, "event")
    call = _call(body)
    return CallEvent(event=event, call=call, body=body)


def parse_inbound(raw: bytes) -> InboundCall:
    body = _object(raw, INBOUND_LIMITS)
    if _string(body, "event") != "call_inbound":
        raise PayloadError(WRONG_EVENT.format(expected="call_inbound"), "event")
    inbound = _sub_object(body, "call_inbound")
    return InboundCall(
        from_number=_optional_string(inbound, "from_number"),
        to_number=_string(inbound, "to_number", prefix="call_inbound."),
        agent_id=_optional_string(inbound, "agent_id"),
        call_id=_optional_string(inbound, "call_id"),
    )


def parse_function_call(raw: bytes) -> FunctionCall:
    body = _object(raw, FUNCTION_LIMITS)
    name = _string(body, "name")
    call = _call(body)
    args = body.get("args")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise PayloadError(NOT_AN_OBJECT_FIELD.format(field="args"), "args")
    return FunctionCall(name=name, call=call, args=args)


def _object(raw: bytes, limits: dict[str, int]) -> dict[str, Any]:
    """Strictly parsed (common.webhook_body), with the lengths of the columns it will be written into."""
    try:
        return parse_json_object(raw, limits=limits)
    except BodyRejected as rejected:
        raise PayloadError(rejected.error, rejected.field) from rejected


def _call(body: dict[str, Any]) -> dict[str, Any]:
    call = _sub_object(body, "call")
    _string(call, "call_id", prefix="call.")
    company_number(call)
    return call


def _sub_object(body: dict[str, Any], key: str) -> dict[str, Any]:
    if key not in body:
        raise PayloadError(MISSING_FIELD.format(field=key), key)
    value = body[key]
    if not isinstance(value, dict):
        raise PayloadError(NOT_AN_OBJECT_FIELD.format(field=key), key)
    return value


def _string(body: dict[str, Any], key: str, *, prefix: str = "") -> str:
    if key not in body or body[key] is None:
        raise PayloadError(MISSING_FIELD.format(field=prefix + key), prefix + key)
    value = body[key]
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(NOT_A_STRING.format(field=prefix + key), prefix + key)
    return value


def _optional_string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""
