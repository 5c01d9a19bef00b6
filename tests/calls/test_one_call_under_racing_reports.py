"""Two reports of one new call at the same moment (the agent's first function and Retell's `call_started`,
say) make one call, and the later report's facts land on it (real connections, committed data).

A new call is written with one INSERT (issue 16): the report that loses the race meets the unique call id,
finds the winner's row and applies itself there, instead of failing."""

import threading

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from calls.models import Call
from calls.services import call_record_retell_event
from org.models import Customer
from tests.drills.worker_kill_helpers import backends_blocked_by, wait_until
from tests.factories.calls import call_object, ended

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+4930901820"


@pytest.fixture
def acme(companies):
    yield companies["acme"]
    with tenant_context(companies["acme"]):  # committed rows in a tenant schema survive the flush
        Call.objects.all().delete()
        Customer.objects.all().delete()


def test_a_report_that_loses_the_race_for_a_new_call_lands_on_the_winners_row(acme):
    started = call_object("call_race", to_number=NUMBER)
    inserted, release, winner_pid, errors = threading.Event(), threading.Event(), [], []

    def winner() -> None:
        """`call_started` stores the call and holds its transaction open until told."""
        with tenant_context(acme), transaction.atomic():
            call_record_retell_event(event="call_started", data=started)
            winner_pid.append(connection.connection.info.backend_pid)
            inserted.set()
            release.wait(timeout=30)
        connection.close()

    def loser() -> None:
        """`call_ended` of the same call arrives meanwhile: its INSERT waits for the winner's commit."""
        try:
            with tenant_context(acme):
                call_record_retell_event(event="call_ended", data=ended("call_race", to_number=NUMBER))
        except Exception as error:  # noqa: BLE001 (the test says what went wrong)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=winner), threading.Thread(target=loser)]
    threads[0].start()
    assert inserted.wait(timeout=30)
    threads[1].start()
    wait_until(lambda: backends_blocked_by(winner_pid[0]), "the second report waits on the call id")
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with tenant_context(acme):
        calls = list(Call.objects.filter(retell_call_id="call_race"))
        assert len(calls) == 1
        assert calls[0].stage == Call.Stage.ENDED and calls[0].ended_at is not None
        assert calls[0].transcript.startswith("Agent: Grüß Gott")
        assert Customer.objects.count() == 1  # the caller, made once
