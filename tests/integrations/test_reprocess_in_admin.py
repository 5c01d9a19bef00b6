"""Ada's "Reprocess" on the webhook log queues events after the commit, or says why it does not."""

from datetime import timedelta
from unittest.mock import patch

from celery.app.task import Task
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from kombu.exceptions import OperationalError

from calls.models import Call
from integrations.calcom.services import NOT_REPROCESSABLE, UNKNOWN_BOOKING, calcom_events_sweep
from integrations.models import WebhookEvent
from integrations.retell.services import NOT_REPROCESSABLE as RETELL_NOT_REPROCESSABLE
from tests.appointments.test_calcom_webhooks import booking_payload
from tests.factories.calls import ended

CHANGELIST = "admin:integrations_webhookevent_changelist"


def event(source: str, name: str, external_id: str, status: str, body: dict | None = None) -> WebhookEvent:
    return WebhookEvent.objects.create(
        source=source, event=name, external_id=external_id, status=status, body=body or {}, attempts=1
    )


def reprocess(tenant_client, ada, company, *events: WebhookEvent) -> list[str]:
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(ada.user)
    response = tenant_client.post(
        reverse(CHANGELIST), {"action": "reprocess", "_selected_action": [e.pk for e in events]}, follow=True
    )
    assert response.status_code == 200
    connection.set_tenant(company)
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_failed_calcom_event_is_queued_after_the_commit(
    company, tenant_client, ada, django_capture_on_commit_callbacks
):
    failed = event("calcom", "BOOKING_CANCELLED", "uid-f", "failed")
    with patch("integrations.calcom.tasks.process_calcom_event.apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            messages = reprocess(tenant_client, ada, company, failed)
        assert not sent.called  # nothing is sent before the commit
        for callback in after_commit:
            callback()
    assert sent.call_args.kwargs["args"] == (failed.pk,)
    assert messages == ["1 event queued for processing."]
    failed.refresh_from_db()
    assert (failed.status, failed.error) == ("received", "")  # the sweep finishes it if the message is lost


def test_calcom_events_done_already_are_not_queued_and_the_admin_says_why(
    company, tenant_client, ada, django_capture_on_commit_callbacks
):
    done = event("calcom", "BOOKING_CREATED", "uid-p", "processed")
    ignored = event("calcom", "MEETING_ENDED", "uid-i", "ignored")
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        messages = reprocess(tenant_client, ada, company, done, ignored)
    assert after_commit == []
    assert f"{done}: {NOT_REPROCESSABLE % {'status': 'processed'}}" in messages
    assert f"{ignored}: {NOT_REPROCESSABLE % {'status': 'ignored'}}" in messages
    assert "0 events queued for processing." in messages
    done.refresh_from_db()
    assert done.status == "processed"


def test_a_retell_event_is_run_again_and_an_unprocessable_one_is_refused_with_the_reason(
    company, tenant_client, ada, django_capture_on_commit_callbacks
):
    call = ended("call_admin", to_number="+4930901820")
    failed = event("retell", "call_ended", "call_admin", "failed", {"event": "call_ended", "call": call})
    transfer = event("retell", "transfer_started", "call_admin:x", "ignored")
    with django_capture_on_commit_callbacks(execute=True):
        messages = reprocess(tenant_client, ada, company, failed, transfer)
    assert messages == [f"{transfer}: {RETELL_NOT_REPROCESSABLE}", "1 event queued for processing."]
    failed.refresh_from_db()
    assert failed.status == "processed"
    assert Call.objects.filter(retell_call_id="call_admin").count() == 1


def test_a_reprocess_whose_message_is_lost_is_finished_by_the_sweep(
    company, tenant_client, ada, clock, django_capture_on_commit_callbacks
):
    body = booking_payload("BOOKING_CANCELLED", "uid-gone")
    failed = event("calcom", "BOOKING_CANCELLED", "uid-gone", "failed", body)
    broker_down = OperationalError("Connection refused.")
    with (
        patch.object(Task, "apply_async", side_effect=broker_down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reprocess(tenant_client, ada, company, failed)

    clock.shift(timedelta(minutes=2))
    assert [calcom_events_sweep(), calcom_events_sweep()] == [1, 0]
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == ("ignored", UNKNOWN_BOOKING, 2)
