"""Reconciliation with Retell's own list of calls: what the webhooks never brought is processed as if they
had, a late webhook then changes nothing, and one company's reconciliation never writes into another's.

Retell is played by a local stand-in of its list-calls endpoint, called through Retell's own SDK.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tenants.utils import tenant_context
from prometheus_client import REGISTRY

from callbacks.models import CallbackRequest
from calls.models import Call
from common.tasks import per_company
from config.celery import collect_beat_schedule
from integrations.calcom.tasks import reconcile_bookings
from integrations.models import WebhookEvent
from integrations.retell import reconcile
from integrations.retell.reconcile import retell_reconcile
from integrations.retell.tasks import reconcile_calls
from tests.factories.calls import PLATFORM_KEY, analyzed, call_object, ended, signed_post
from tests.integrations.retell.conftest import ACME_NUMBER, GLOBEX_NUMBER
from tests.integrations.retell.retell_api_standin import LIST_CALLS, RetellApiStandIn

URL = "/webhooks/retell/"


@pytest.fixture
def retell_api(settings, clock):
    """Retell's API for the shared platform account (the companies have no key of their own)."""
    server = RetellApiStandIn().start()
    server.accounts[PLATFORM_KEY] = []
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "RETELL_API_BASE_URL": server.url}
    yield server
    server.stop()


def ms_ago(minutes: int) -> int:
    return int((timezone.now() - timedelta(minutes=minutes)).timestamp() * 1000)


def finished_call(call_id: str, *, to_number: str = ACME_NUMBER, **extra) -> dict:
    """A call Retell holds as analysed, started 30 and ended 27 minutes ago; it needs a callback."""
    times = {"start_timestamp": ms_ago(30), "end_timestamp": ms_ago(27), **extra}
    return analyzed(call_id, to_number=to_number, successful=False, sentiment="Negative", **times)


def reconcile_now(line, django_capture_on_commit_callbacks) -> int:
    """Run one company's reconciliation and the processing it queues (eager tasks, after the commit)."""
    with tenant_context(line.company), django_capture_on_commit_callbacks(execute=True):
        return retell_reconcile()


def post_webhook(client, name: str, call: dict, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, URL, {"event": name, "call": call})
    assert response.status_code == 204
    return response


def rows_of(line) -> dict[str, int]:
    with tenant_context(line.company):
        return {
            "events": WebhookEvent.objects.count(),
            "calls": Call.objects.count(),
            "callbacks": CallbackRequest.objects.count(),
        }


def repairs() -> float:
    return REGISTRY.get_sample_value("reconciliation_repairs_total", {"source": "retell"}) or 0.0


def test_a_call_whose_webhooks_never_came_is_created_with_transcript_and_callback_as_the_webhook_would(
    acme, retell_api, django_capture_on_commit_callbacks
):
    retell_api.add_call(PLATFORM_KEY, finished_call("call_lost"))
    before = repairs()

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 1

    with tenant_context(acme.company):
        call = Call.objects.get(retell_call_id="call_lost")
        assert (call.stage, call.status, call.branch_id) == (Call.Stage.ANALYZED, "ended", acme.branch.pk)
        assert "Grüß Gott, Praxis Müller." in call.transcript
        assert call.customer_id == acme.customer.pk
        assert call.summary == "Die Anruferin möchte einen Termin verschieben."
        [callback] = CallbackRequest.objects.all()
        assert (callback.call_id, callback.customer_id, callback.priority) == (
            call.pk,
            acme.customer.pk,
            "high",
        )
        stored = {event.event: event for event in WebhookEvent.objects.filter(external_id="call_lost")}
    assert set(stored) == {"call_started", "call_ended", "call_analyzed"}
    assert {event.status for event in stored.values()} == {WebhookEvent.Status.PROCESSED}
    assert {event.body["source"] for event in stored.values()} == {"reconciliation"}
    assert "call_analysis" not in stored["call_ended"].body["call"]  # as Retell sends call_ended
    assert stored["call_started"].body["call"]["call_status"] == "ongoing"
    assert repairs() == before + 1


def test_a_late_webhook_after_reconciliation_changes_nothing(
    acme, retell_api, retell_client, django_capture_on_commit_callbacks
):
    call = finished_call("call_late")
    retell_api.add_call(PLATFORM_KEY, call)
    reconcile_now(acme, django_capture_on_commit_callbacks)
    rows = rows_of(acme)
    with tenant_context(acme.company):
        before = model_to_dict(Call.objects.get(retell_call_id="call_late"))

    started = {key: value for key, value in call.items() if key in reconcile.STARTED_FIELDS}
    post_webhook(retell_client, "call_started", started, django_capture_on_commit_callbacks)
    ended_body = {key: value for key, value in call.items() if key != "call_analysis"}
    post_webhook(retell_client, "call_ended", ended_body, django_capture_on_commit_callbacks)
    post_webhook(retell_client, "call_analyzed", call, django_capture_on_commit_callbacks)

    assert rows_of(acme) == rows == {"events": 3, "calls": 1, "callbacks": 1}
    with tenant_context(acme.company):
        assert model_to_dict(Call.objects.get(retell_call_id="call_late")) == before


def test_a_call_we_already_have_is_left_untouched(
    acme, retell_api, retell_client, django_capture_on_commit_callbacks
):
    call = finished_call("call_known")
    for name, body in (("call_ended", ended("call_known", to_number=ACME_NUMBER)), ("call_analyzed", call)):
        post_webhook(retell_client, name, body, django_capture_on_commit_callbacks)
    retell_api.add_call(PLATFORM_KEY, call)
    rows = rows_of(acme)
    with tenant_context(acme.company):
        before = model_to_dict(Call.objects.get())

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 0

    assert rows_of(acme) == rows
    with tenant_context(acme.company):
        assert model_to_dict(Call.objects.get()) == before


def test_a_call_held_without_its_analysis_is_completed(
    acme, retell_api, retell_client, django_capture_on_commit_callbacks
):
    call = finished_call("call_half")
    post_webhook(
        retell_client,
        "call_ended",
        ended("call_half", to_number=ACME_NUMBER),
        django_capture_on_commit_callbacks,
    )
    retell_api.add_call(PLATFORM_KEY, call)

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 1

    with tenant_context(acme.company):
        assert Call.objects.get().stage == Call.Stage.ANALYZED
        assert CallbackRequest.objects.count() == 1
        assert "source" not in WebhookEvent.objects.get(event="call_ended").body  # Retell's own, kept


def test_a_call_still_running_or_just_ended_is_left_to_its_webhooks(
    acme, retell_api, django_capture_on_commit_callbacks
):
    retell_api.add_call(
        PLATFORM_KEY, call_object("call_live", to_number=ACME_NUMBER, start_timestamp=ms_ago(3))
    )
    just_ended = finished_call("call_fresh", start_timestamp=ms_ago(4), end_timestamp=ms_ago(1))
    retell_api.add_call(PLATFORM_KEY, just_ended)

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 0
    assert rows_of(acme)["events"] == 0


def test_calls_before_the_window_are_not_asked_for(acme, retell_api, django_capture_on_commit_callbacks):
    retell_api.add_call(
        PLATFORM_KEY, finished_call("call_old", start_timestamp=ms_ago(180), end_timestamp=ms_ago(175))
    )

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 0
    [lower, upper] = retell_api.seen[0].body["filter_criteria"]["start_timestamp"]["value"]
    assert (lower, upper) == (ms_ago(120), ms_ago(0))


def test_every_page_of_the_list_is_read(acme, retell_api, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(reconcile, "PAGE_SIZE", 2)
    for index in range(5):
        retell_api.add_call(PLATFORM_KEY, finished_call(f"call_page_{index}"))

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 5
    assert rows_of(acme)["calls"] == 5


def test_running_again_changes_nothing(acme, retell_api, django_capture_on_commit_callbacks):
    retell_api.add_call(PLATFORM_KEY, finished_call("call_twice"))
    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 1
    rows = rows_of(acme)

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 0
    assert rows_of(acme) == rows


def test_the_company_boundary_holds_even_when_retell_lists_another_companys_calls(
    acme, globex, retell_api, django_capture_on_commit_callbacks
):
    retell_api.ignore_filters = True  # both companies share the platform's Retell account
    retell_api.add_call(PLATFORM_KEY, finished_call("call_for_acme"))
    retell_api.add_call(PLATFORM_KEY, finished_call("call_for_globex", to_number=GLOBEX_NUMBER))

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 1

    with tenant_context(acme.company):
        assert list(Call.objects.values_list("retell_call_id", flat=True)) == ["call_for_acme"]
    assert rows_of(globex) == {"events": 0, "calls": 0, "callbacks": 0}
    asked = {
        condition["value"]
        for seen in retell_api.seen
        for name, condition in seen.body["filter_criteria"].items()
        if name in ("to_number", "from_number")
    }
    assert asked == {ACME_NUMBER}


def test_a_company_without_a_number_or_a_key_is_skipped_quietly(
    company, acme, retell_api, settings, django_capture_on_commit_callbacks, other_company
):
    with tenant_context(other_company):  # Globex answers no number here
        assert retell_reconcile() == 0
    settings.RETELL_API_KEY = ""  # and Acme has no key of its own
    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 0
    assert retell_api.seen == []


def test_the_list_is_asked_for_with_the_companys_own_key_when_it_has_one(
    acme, retell_api, django_capture_on_commit_callbacks
):
    acme.company.retell_api_key = "key_acme_own"
    acme.company.save()
    retell_api.add_call("key_acme_own", finished_call("call_own_account"))

    assert reconcile_now(acme, django_capture_on_commit_callbacks) == 1
    assert {seen.api_key for seen in retell_api.seen} == {"key_acme_own"}
    assert {seen.path for seen in retell_api.seen} == {LIST_CALLS}


def test_an_operator_can_reconcile_one_company_by_hand(acme, retell_api, django_capture_on_commit_callbacks):
    retell_api.add_call(PLATFORM_KEY, finished_call("call_by_hand"))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reconcile", "--company", acme.company.slug, "--source", "retell", stdout=out)

    assert out.getvalue() == "retell: 1 repaired\n"
    assert rows_of(acme)["calls"] == 1
    with pytest.raises(CommandError, match="No active company"):
        call_command("reconcile", "--company", "nobody")


def test_both_reconciliations_run_per_company_every_15_minutes():
    schedule = collect_beat_schedule()

    assert schedule["retell-reconcile-calls"] == per_company("retell.reconcile_calls", 900)
    assert schedule["calcom-reconcile-bookings"] == per_company("calcom.reconcile_bookings", 900)
    assert (reconcile_calls.name, reconcile_bookings.name) == (
        "retell.reconcile_calls",
        "calcom.reconcile_bookings",
    )


def test_the_beat_task_reconciles_the_company_it_runs_for(
    acme, retell_api, django_capture_on_commit_callbacks
):
    retell_api.add_call(PLATFORM_KEY, finished_call("call_from_beat"))

    with django_capture_on_commit_callbacks(execute=True):
        result = reconcile_calls.apply(headers={"_schema_name": acme.company.schema_name}).get()

    assert result == 1
    assert rows_of(acme)["calls"] == 1
