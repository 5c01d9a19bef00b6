"""Every periodic job is scheduled, fans out per company, and names a task the workers know."""

from config.celery import app, collect_beat_schedule

EXPECTED = {
    "callbacks-warn-sla-approaching",
    "callbacks-escalate-overdue",
    "callbacks-assign-pending",
    "callbacks-expire-stale",
    "retell-sweep-stuck-events",
    "notifications-dispatch-due",
    "calcom-sweep-stuck-events",
    "appointments-push-pending-cancels",
    "webhooks-send-lost",
}


def test_beat_schedule_holds_every_periodic_job_of_the_apps():
    assert set(collect_beat_schedule()) >= EXPECTED


def test_every_periodic_job_fans_out_to_a_registered_per_company_task():
    app.loader.import_default_modules()
    for name, entry in collect_beat_schedule().items():
        assert entry["task"] == "common.fan_out", name
        assert entry["args"][0] in app.tasks, f"{name} names unknown task {entry['args'][0]}"


def test_tasks_queued_by_the_webhooks_are_known_to_the_workers():
    app.loader.import_default_modules()
    assert {"retell.process_call_event", "calcom.process_event", "common.health_probe"} <= set(app.tasks)
