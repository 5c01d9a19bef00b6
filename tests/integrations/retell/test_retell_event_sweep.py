"""Events that stayed unprocessed (the queue was down, processing failed) are picked up again."""

from datetime import timedelta

from django.utils import timezone

from calls.models import Call
from integrations.models import WebhookEvent
from integrations.retell.services import retell_event_process, retell_event_reprocess, retell_events_sweep
from tests.factories.calls import call_object, ended

NUMBER = "+4930901820"


def stored(event: str, call: dict, *, minutes_ago: int = 30, **fields) -> WebhookEvent:
    row = WebhookEvent.objects.create(
        source="retell",
        event=event,
        external_id=call["call_id"],
        body={"event": event, "call": call},
        **fields,
    )
    WebhookEvent.objects.filter(pk=row.pk).update(received_at=timezone.now() - timedelta(minutes=minutes_ago))
    return row


def test_the_sweep_processes_events_that_were_never_processed(company):
    stored("call_ended", ended("call_s1", to_number=NUMBER))
    stored(
        "call_started", call_object("call_s2", to_number=NUMBER), minutes_ago=1
    )  # still fresh: its task may come
    assert retell_events_sweep() == 1
    assert list(Call.objects.values_list("retell_call_id", flat=True)) == ["call_s1"]
    assert WebhookEvent.objects.get(external_id="call_s1").status == "processed"


def test_the_sweep_retries_failed_events_until_the_attempt_limit(company):
    retry = stored("call_ended", ended("call_f1", to_number=NUMBER), status="failed", attempts=2)
    stored("call_ended", ended("call_f2", to_number=NUMBER), status="failed", attempts=5)
    assert retell_events_sweep() == 1
    retry.refresh_from_db()
    assert (retry.status, retry.attempts) == ("processed", 3)


def test_a_failing_event_is_marked_failed_with_the_error(company):
    broken = stored(
        "call_ended",
        {
            **ended("call_bad", to_number=NUMBER),
            "start_timestamp": "yesterday",
            "duration_ms": -5,
            "disconnection_reason": "x" * 100,  # longer than its column (stored without the door's check)
        },
    )
    retell_event_process(event_id=broken.pk)
    broken.refresh_from_db()
    assert broken.status == "failed"
    assert "disconnection_reason" in broken.error
    assert not Call.objects.exists()  # nothing half-written


def test_processed_events_are_not_processed_again(company):
    row = stored("call_ended", ended("call_p", to_number=NUMBER), status="processed")
    assert retell_event_process(event_id=row.pk) is None


def test_reprocess_queues_a_stored_event_again(company, django_capture_on_commit_callbacks):
    row = stored("call_ended", ended("call_r", to_number=NUMBER), status="processed")
    with django_capture_on_commit_callbacks(execute=True):
        retell_event_reprocess(event=row)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("processed", 1)
    assert Call.objects.filter(retell_call_id="call_r").exists()


def test_the_sweep_is_scheduled_once_per_company():
    from calls.beat import SCHEDULE
    from config.celery import app
    from integrations.retell.tasks import SWEEP_TASK

    entry = SCHEDULE["retell-sweep-stuck-events"]
    assert (entry["task"], entry["args"], entry["schedule"]) == ("common.fan_out", (SWEEP_TASK,), 300)
    assert SWEEP_TASK in app.tasks
