"""Personal data past a company's retention periods is emptied by the nightly job; the rows stay.

Defaults: raw webhook bodies 90 days, call transcripts and function arguments 365 days, notification texts
90 days. Dana's data (tests/privacy/conftest.py) is stored on Wednesday 4 March 2026; the clock then moves.
"""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.db import connection
from django_tenants.utils import tenant_context

from calls.models import Call, FunctionInvocation
from config.celery import app, collect_beat_schedule
from integrations.models import WebhookEvent
from notifications.models import NotificationDelivery
from org.retention import personal_data_expire
from org.tasks import expire_personal_data
from tests.factories.calls import CallFactory, FunctionInvocationFactory

WAITING = (NotificationDelivery.Status.QUEUED, NotificationDelivery.Status.SENDING)


def kept() -> dict[str, bool]:
    """Which kinds of personal data Acme (the current schema) still holds."""
    return {
        "raw webhook bodies": WebhookEvent.objects.exclude(raw_body="").exists(),
        "call transcripts": Call.objects.exclude(transcript="").exists(),
        "function arguments": FunctionInvocation.objects.exclude(arguments={}).exists(),
        "notification texts": NotificationDelivery.objects.exclude(status__in=WAITING)
        .exclude(body="")
        .exists(),
    }


def run_nightly_job(company) -> dict:
    with tenant_context(company):
        return expire_personal_data()


@pytest.fixture
def globex_call(other_company, company, clock):
    """Globex's own call and event from the same day as Dana's (then back in Acme)."""
    with tenant_context(other_company):
        call = CallFactory(transcript="Globex: Hallo.", collected_variables={"name": "Gustav"})
        FunctionInvocationFactory(call=call, arguments={"name": "Gustav"})
        WebhookEvent.objects.create(
            source="retell",
            event="call_ended",
            external_id=call.retell_call_id,
            body={"call": {}},
            raw_body="{}",
        )
    connection.set_tenant(company)
    return call


def test_nothing_is_emptied_within_the_retention_periods(dana_everywhere, company, clock):
    clock.shift(timedelta(days=89))
    assert set(run_nightly_job(company).values()) == {0}
    assert kept() == dict.fromkeys(kept(), True)


def test_bodies_and_notification_texts_go_after_90_days_transcripts_stay(dana_everywhere, company, clock):
    clock.shift(timedelta(days=91))
    emptied = run_nightly_job(company)

    assert emptied["raw webhook bodies"] >= 3 and emptied["notification texts"] >= 1
    assert kept() == {
        "raw webhook bodies": False,
        "call transcripts": True,
        "function arguments": True,
        "notification texts": False,
    }
    assert WebhookEvent.objects.get(source="calcom").body == {}
    delivery = NotificationDelivery.objects.get(customer=dana_everywhere.customer, status="sent")
    assert (delivery.subject, delivery.body, delivery.status) == ("", "", NotificationDelivery.Status.SENT)


def test_after_a_year_transcripts_analysis_and_function_arguments_go_too(dana_everywhere, company, clock):
    clock.shift(timedelta(days=366))
    run_nightly_job(company)

    assert not any(kept().values())
    call = Call.objects.get()
    assert (call.summary, call.custom_analysis, call.collected_variables, call.recording_url) == (
        "",
        {},
        {},
        "",
    )
    assert call.duration_ms == 101776, "what the statistics need stays"
    invocation = FunctionInvocation.objects.get(name="request_callback")
    assert (invocation.arguments, invocation.result, invocation.succeeded) == ({}, {}, True)


def test_running_the_job_again_changes_nothing(dana_everywhere, company, clock):
    clock.shift(timedelta(days=400))
    first = run_nightly_job(company)
    assert sum(first.values()) > 0
    assert set(run_nightly_job(company).values()) == {0}


def test_a_company_sets_its_own_periods_and_the_other_company_keeps_its_data(
    dana_everywhere, globex_call, company, other_company, clock
):
    company.webhook_body_retention_days = 30
    company.transcript_retention_days = 30
    company.save()
    clock.shift(timedelta(days=31))

    run_nightly_job(company)
    run_nightly_job(other_company)

    assert kept()["raw webhook bodies"] is False and kept()["call transcripts"] is False
    with tenant_context(other_company):
        assert WebhookEvent.objects.get().raw_body == "{}"
        assert Call.objects.get().transcript == "Globex: Hallo."
        assert FunctionInvocation.objects.get().arguments == {"name": "Gustav"}


def test_the_job_works_through_many_rows_in_batches(dana_everywhere, company, clock):
    clock.shift(timedelta(days=91))
    emptied = personal_data_expire(company=company, batch_size=1)

    assert emptied["raw webhook bodies"] == WebhookEvent.objects.count() >= 3
    assert kept()["raw webhook bodies"] is False


def test_an_event_still_waiting_for_processing_keeps_its_body(dana_everywhere, company, clock):
    waiting = WebhookEvent.objects.create(
        source="retell", event="call_ended", external_id="call_waiting", body={"call": {}}, raw_body="{...}"
    )
    clock.shift(timedelta(days=91))
    run_nightly_job(company)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.raw_body) == (WebhookEvent.Status.RECEIVED, "{...}")


def test_a_message_still_to_be_sent_keeps_its_text(dana_everywhere, company, clock):
    queued = NotificationDelivery.objects.filter(status=NotificationDelivery.Status.QUEUED).exclude(body="")
    assert queued.exists(), "Dana's appointment reminder waits for its time"
    clock.shift(timedelta(days=366))
    run_nightly_job(company)

    assert queued.exists()


def test_the_job_runs_every_night_for_every_company():
    entry = collect_beat_schedule()["privacy-expire-personal-data"]
    app.loader.import_default_modules()
    assert (entry["task"], entry["args"]) == ("common.fan_out", ("privacy.expire_personal_data",))
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert "privacy.expire_personal_data" in app.tasks
