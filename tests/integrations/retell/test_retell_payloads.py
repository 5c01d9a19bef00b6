"""Retell's envelopes are checked before anything else: missing or malformed fields are named."""

import json

import pytest

from integrations.retell.payloads import (
    MALFORMED_JSON,
    MISSING_FIELD,
    NOT_A_STRING,
    NOT_AN_OBJECT,
    NOT_AN_OBJECT_FIELD,
    WRONG_EVENT,
    PayloadError,
    caller_number,
    parse_call_event,
    parse_function_call,
    parse_inbound,
)


def raw(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


CALL = {"call_id": "call_1", "agent_id": "agent_1", "direction": "inbound",
        "from_number": "+4915112345678", "to_number": "+4930123456"}  # fmt: skip


def test_a_call_event_is_routed_by_the_dialled_number():
    event = parse_call_event(raw({"event": "call_started", "call": CALL}))
    assert (event.event, event.call_id, event.company_number) == ("call_started", "call_1", "+4930123456")
    assert caller_number(event.call) == "+4915112345678"


def test_an_outbound_call_is_routed_by_the_number_it_was_made_from():
    call = {**CALL, "direction": "outbound", "from_number": "+4930123456", "to_number": "+4915112345678"}
    event = parse_call_event(raw({"event": "call_ended", "call": call}))
    assert event.company_number == "+4930123456"
    assert caller_number(event.call) == "+4915112345678"


def test_umlauts_survive_parsing():
    event = parse_call_event(raw({"event": "call_ended", "call": {**CALL, "transcript": "Grüße aus Köln"}}))
    assert event.call["transcript"] == "Grüße aus Köln"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", MALFORMED_JSON),
        (b"\xff\xfe\x00", MALFORMED_JSON),
        (b"[1, 2]", NOT_AN_OBJECT),
        (raw({"call": CALL}), MISSING_FIELD.format(field="event")),
        (raw({"event": "", "call": CALL}), NOT_A_STRING.format(field="event")),
        (raw({"event": "call_started"}), MISSING_FIELD.format(field="call")),
        (raw({"event": "call_started", "call": "x"}), NOT_AN_OBJECT_FIELD.format(field="call")),
        (
            raw({"event": "call_started", "call": {**CALL, "call_id": None}}),
            MISSING_FIELD.format(field="call.call_id"),
        ),
        (
            raw({"event": "call_started", "call": {"call_id": "c"}}),
            MISSING_FIELD.format(field="call.to_number"),
        ),
    ],
)
def test_unusable_call_events_are_refused_with_the_field_named(body, reason):
    with pytest.raises(PayloadError) as error:
        parse_call_event(body)
    assert error.value.reason == reason


def test_an_inbound_call_needs_the_dialled_number():
    inbound = parse_inbound(
        raw({"event": "call_inbound", "call_inbound": {"from_number": "+49151", "to_number": "+4930"}})
    )
    assert (inbound.from_number, inbound.to_number, inbound.call_id) == ("+49151", "+4930", "")
    with pytest.raises(PayloadError) as error:
        parse_inbound(raw({"event": "call_inbound", "call_inbound": {"from_number": "+49151"}}))
    assert error.value.reason == MISSING_FIELD.format(field="call_inbound.to_number")
    with pytest.raises(PayloadError) as error:
        parse_inbound(raw({"event": "chat_inbound", "chat_inbound": {}}))
    assert error.value.reason == WRONG_EVENT.format(expected="call_inbound")


def test_a_withheld_caller_number_is_allowed_on_inbound():
    inbound = parse_inbound(raw({"event": "call_inbound", "call_inbound": {"to_number": "+4930"}}))
    assert inbound.from_number == ""


def test_a_function_call_needs_a_name_and_the_call():
    call = parse_function_call(raw({"name": "list_services", "call": CALL}))
    assert (call.name, call.call_id, call.args) == ("list_services", "call_1", {})
    with pytest.raises(PayloadError) as error:
        parse_function_call(raw({"call": CALL, "args": {}}))
    assert error.value.reason == MISSING_FIELD.format(field="name")
    with pytest.raises(PayloadError) as error:
        parse_function_call(raw({"name": "x", "call": CALL, "args": [1]}))
    assert error.value.reason == NOT_AN_OBJECT_FIELD.format(field="args")
