"""After `call_analyzed`, a call that missed its goal leaves a callback request (once, and not twice)."""

import pytest

from callbacks.models import CallbackRequest
from calls.follow_up import (
    ASKED_FOR_CALLBACK,
    DROPPED_MID_BOOKING,
    NOT_SUCCESSFUL,
    REACHED_VOICEMAIL,
    CallOutcome,
    follow_up_reason,
)
from calls.models import Call
from calls.services import call_follow_up, call_record_function, call_record_retell_event
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.calls import analyzed
from tests.factories.org import BranchFactory, CustomerFactory

NUMBER = "+4930901820"
CALLER = "+4915112345678"


def outcome(**overrides) -> CallOutcome:
    values = dict(
        successful=True,
        in_voicemail=False,
        custom_analysis={},
        disconnection_reason="user_hangup",
        functions_tried=frozenset(),
        functions_done=frozenset(),
    )
    return CallOutcome(**{**values, **overrides})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"successful": False}, NOT_SUCCESSFUL),
        ({"custom_analysis": {"needs_callback": True}}, ASKED_FOR_CALLBACK),
        ({"custom_analysis": {"callback_requested": "ja"}}, ASKED_FOR_CALLBACK),
        ({"in_voicemail": True}, REACHED_VOICEMAIL),
        ({"functions_tried": frozenset({"check_availability"})}, DROPPED_MID_BOOKING),
        (
            {"functions_tried": frozenset({"check_availability"}), "disconnection_reason": "agent_hangup"},
            None,
        ),
        ({"successful": False, "functions_done": frozenset({"book_appointment"})}, None),
        ({"successful": False, "functions_done": frozenset({"request_callback"})}, None),
    ],
)
def test_follow_up_reason(changes, reason):
    assert follow_up_reason(outcome(**changes)) == reason


@pytest.fixture
def branch(company):
    return BranchFactory(name="Praxis Mitte")


def analysed_call(branch, **kwargs) -> Call:
    return call_record_retell_event(
        event="call_analyzed", data=analyzed("call_1", to_number=NUMBER, **kwargs), branch_id=branch.pk
    )


def test_an_unsuccessful_call_leaves_a_callback_from_the_phone_agent(branch):
    call = analysed_call(branch, successful=False)
    callback = call_follow_up(call=call)
    assert callback is not None
    assert (callback.source, callback.call_id, str(callback.phone)) == ("phone_agent", call.pk, CALLER)
    assert callback.notes == "Die Anruferin möchte einen Termin verschieben."
    assert callback.priority == "normal"
    assert callback.metadata["reason"] == NOT_SUCCESSFUL


def test_negative_sentiment_makes_the_callback_high_priority(branch):
    callback = call_follow_up(call=analysed_call(branch, successful=False, sentiment="Negative"))
    assert callback.priority == "high"


def test_a_vip_stays_urgent_with_negative_sentiment(branch):
    CustomerFactory(name="Vera VIP", phone=CALLER, is_vip=True)
    callback = call_follow_up(call=analysed_call(branch, successful=False, sentiment="Negative"))
    assert callback.priority == "urgent"


def test_a_successful_call_leaves_no_callback(branch):
    assert call_follow_up(call=analysed_call(branch)) is None
    assert not CallbackRequest.objects.exists()


def test_a_caller_with_an_open_callback_gets_no_second_one(branch):
    CallbackRequestFactory(branch=branch, phone=CALLER)
    assert call_follow_up(call=analysed_call(branch, successful=False)) is None
    assert CallbackRequest.objects.count() == 1


def test_the_follow_up_runs_once_per_call(branch):
    call = analysed_call(branch, successful=False)
    assert call_follow_up(call=call) is not None
    CallbackRequest.objects.update(status="completed")
    assert call_follow_up(call=call) is None
    assert CallbackRequest.objects.count() == 1


def test_a_callback_the_agent_already_left_in_the_call_is_enough(branch):
    call = analysed_call(branch, custom={"needs_callback": True})
    call_record_function(call=call, name="request_callback", arguments={}, result={"ok": True}, duration_ms=5)
    assert call_follow_up(call=call) is None


def test_a_withheld_number_cannot_be_called_back(branch):
    call = analysed_call(branch, successful=False, from_number="anonymous")
    assert call_follow_up(call=call) is None


def test_a_new_caller_becomes_a_customer_named_as_they_said(branch):
    data = analyzed(
        "call_new",
        to_number=NUMBER,
        from_number="+4917099900011",
        collected_dynamic_variables={"customer_name": "Nina Neu"},
    )
    call = call_record_retell_event(event="call_analyzed", data=data, branch_id=branch.pk)
    assert (call.customer.name, str(call.customer.phone)) == ("Nina Neu", "+4917099900011")


def test_a_new_caller_without_a_name_is_named_after_the_number(branch):
    data = analyzed(
        "call_anon_name", to_number=NUMBER, from_number="+4917099900022", custom={"customer_name": "ja"}
    )
    call = call_record_retell_event(event="call_analyzed", data=data, branch_id=branch.pk)
    assert call.customer.name == "+4917099900022"
