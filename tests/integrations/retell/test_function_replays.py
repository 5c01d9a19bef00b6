"""Replays are harmless (issue 14, item 4): the same signed function call again gets the first answer.

Dana calls Acme (call `call_replay`); the clock stands on Wednesday 4 March 2026, 10:00 in Berlin.
"""

from functools import partial

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from callbacks.models import CallbackEvent, CallbackRequest
from calls.models import Call, FunctionInvocation
from calls.services import call_record_function
from integrations.retell.functions import dispatch
from tests.integrations.retell.test_retell_booking_functions import calcom  # noqa: F401  (Cal.com stand-in)

REQUEST = {"reason": "Frage zur Rechnung", "priority": "urgent"}


@pytest.fixture
def run(call_function, clock):
    return partial(call_function, call_id="call_replay")


def invocations(line) -> list[FunctionInvocation]:
    with tenant_context(line.company):
        return list(FunctionInvocation.objects.order_by("id"))


def test_a_callback_request_sent_twenty_times_creates_one_callback_and_merges_nothing(acme, run):
    replies = [run("request_callback", REQUEST) for _ in range(20)]
    assert all(reply == replies[0] for reply in replies)
    assert replies[0]["status"] == "created"
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get()
        assert callback.notes == "Frage zur Rechnung"
        assert not CallbackEvent.objects.filter(kind=CallbackEvent.Kind.DUPLICATE_MERGED).exists()
    assert len(invocations(acme)) == 1


@pytest.mark.usefixtures("calcom")
def test_a_replayed_booking_books_once_and_is_recorded_once(acme, run):
    args = {"service": "Beratung", "date": "morgen", "time": "10:00"}
    first, second = run("book_appointment", args), run("book_appointment", args)
    assert first == second and first["status"] == "booked"
    with tenant_context(acme.company):
        assert Appointment.objects.count() == 1
    assert [i.name for i in invocations(acme)] == ["book_appointment"]


@pytest.mark.usefixtures("calcom")
def test_the_same_request_after_another_one_runs_again(acme, run):
    hold = {"service": "Beratung", "date": "morgen um 10"}
    first = run("reserve_slot", hold)
    run("release_slot", {})
    again = run("reserve_slot", hold)
    assert (again["status"], again["reservation_uid"] != first["reservation_uid"]) == ("reserved", True)
    assert [i.name for i in invocations(acme)] == ["reserve_slot", "release_slot", "reserve_slot"]


def test_a_read_only_function_replayed_is_answered_from_the_store(acme, run):
    assert run("list_services") == run("list_services")
    assert len(invocations(acme)) == 1


def test_a_failed_request_is_not_kept_so_its_retry_runs(acme, run, monkeypatch):
    def broken(context):
        raise RuntimeError("database on fire")

    with monkeypatch.context() as patched:
        patched.setitem(dispatch.FUNCTIONS, "list_services", broken)
        assert run("list_services")["status"] == "error"
    assert run("list_services")["services"]
    assert [(i.succeeded, i.fingerprint == "") for i in invocations(acme)] == [(False, True), (True, False)]


def test_a_replay_from_other_numbers_is_refused_not_answered(acme, run):
    run("request_callback", REQUEST)
    replay = run("request_callback", REQUEST, from_number="+4917099900011")
    assert (replay["status"], "callback_id" in replay) == ("refused", False)


def test_a_concurrent_copy_stored_second_gets_the_first_copys_row(acme, run):
    run("list_services")
    with tenant_context(acme.company):
        first = FunctionInvocation.objects.get()
        copy = call_record_function(
            call=Call.objects.get(),
            name="list_services",
            arguments={},
            result={"ok": True, "services": []},
            duration_ms=1,
            fingerprint=first.fingerprint,
        )
        assert (copy.pk, FunctionInvocation.objects.count()) == (first.pk, 1)
