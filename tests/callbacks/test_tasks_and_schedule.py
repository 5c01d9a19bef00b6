"""The Celery side: tasks run the services in the current schema, beat fans every sweep out per company."""

import pytest
from celery.schedules import crontab

from callbacks import tasks
from callbacks.beat import CALLBACK_BEAT_SCHEDULE
from callbacks.models import CallbackRequest
from config.celery import app
from tests.factories.callbacks import CallbackRequestFactory

pytestmark = pytest.mark.django_db


def test_auto_assign_task_assigns_the_callback(mitte, anna):
    callback = CallbackRequestFactory(branch=mitte)
    assert tasks.auto_assign.delay(callback.pk).get() == CallbackRequest.Status.ASSIGNED
    callback.refresh_from_db()
    assert callback.assigned_to == anna


def test_auto_assign_task_for_a_vanished_callback_does_nothing(mitte):
    assert tasks.auto_assign.delay(987654).get() == "gone"


def test_every_sweep_is_scheduled_through_the_per_company_fan_out():
    entries = CALLBACK_BEAT_SCHEDULE.values()
    assert {entry["task"] for entry in entries} == {"common.fan_out"}
    fanned_out = {entry["args"][0] for entry in entries}
    assert fanned_out == {
        "callbacks.warn_sla_approaching",
        "callbacks.escalate_overdue",
        "callbacks.assign_pending",
        "callbacks.hand_on_untouched",
        "callbacks.release_unavailable_staff",
        "callbacks.expire_stale",
    }
    assert fanned_out <= set(app.tasks)


def test_sweeps_run_every_five_minutes_and_expiry_daily():
    schedules = {entry["args"][0]: entry["schedule"] for entry in CALLBACK_BEAT_SCHEDULE.values()}
    assert schedules.pop("callbacks.expire_stale") == crontab(hour=2, minute=15)
    assert set(schedules.values()) == {300}
