"""Operators scrape /metrics: callbacks' flow from domain events, webhooks, Celery, summed over processes."""

import multiprocessing
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from celery.signals import task_failure
from django.test import override_settings
from django_tenants.utils import tenant_context

from callbacks.services import (
    callback_complete,
    callback_create,
    callback_escalate,
    callback_record_contact_attempt,
)
from callbacks.tasks import auto_assign
from common.metrics import CALLBACKS_ASSIGNED, CALLBACKS_CREATED, OUTBOUND_WEBHOOK_DELIVERIES
from common.redis import get_redis
from tests.factories.callbacks import CallbackRequestFactory
from tests.ops.metrics_helpers import sample

pytestmark = pytest.mark.django_db


def test_metrics_are_open_without_a_token_in_development(public_client):
    response = public_client.get("/metrics")
    assert response.status_code == 200
    assert "callbacks_assigned_total" in response.content.decode()


@override_settings(METRICS_TOKEN_REQUIRED=True, METRICS_TOKEN="")
def test_metrics_are_off_in_production_until_a_token_is_set(public_client):
    assert public_client.get("/metrics").status_code == 404


@override_settings(METRICS_TOKEN_REQUIRED=True, METRICS_TOKEN="scrape-secret")
def test_metrics_in_production_need_the_bearer_token(public_client):
    assert public_client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess").status_code == 401
    assert public_client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200


def test_callback_lifecycle_is_counted_from_its_domain_events(mitte, anna, max_manager, clock):
    before = {
        "created": sample("callbacks_created_total", priority="urgent"),
        "assigned": sample("callbacks_assigned_total"),
        "completed": sample("callbacks_completed_total"),
        "escalated": sample("callbacks_escalated_total", reason="manual"),
        "fast": sample("callback_assignment_seconds_bucket", le="300.0"),
        "day": sample("callback_completion_seconds_bucket", le="3600.0"),
    }
    callback, _ = callback_create(
        branch_id=mitte.pk, phone="+491711234567", priority="urgent"
    )  # Anna takes it
    callback_escalate(callback=callback, reason="manual", by=max_manager.user)
    clock.shift(timedelta(minutes=40))
    callback_record_contact_attempt(callback=callback, outcome="reached", by=anna.user)
    callback_complete(callback=callback, by=anna.user)

    assert sample("callbacks_created_total", priority="urgent") == before["created"] + 1
    assert sample("callbacks_assigned_total") >= before["assigned"] + 1
    assert sample("callbacks_completed_total") == before["completed"] + 1
    assert sample("callbacks_escalated_total", reason="manual") == before["escalated"] + 1
    assert sample("callback_assignment_seconds_bucket", le="300.0") == before["fast"] + 1
    assert sample("callback_completion_seconds_bucket", le="3600.0") == before["day"] + 1


def _count_one_assignment_and_one_delivery() -> None:
    CALLBACKS_ASSIGNED.inc()
    OUTBOUND_WEBHOOK_DELIVERIES.labels(outcome="delivered").inc()


def test_one_scrape_adds_up_what_several_processes_counted():
    before = sample("callbacks_assigned_total")
    delivered = sample("outbound_webhook_deliveries_total", outcome="delivered")
    workers = [multiprocessing.get_context("fork").Process(target=_count_one_assignment_and_one_delivery)]
    workers.append(multiprocessing.get_context("fork").Process(target=_count_one_assignment_and_one_delivery))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    _count_one_assignment_and_one_delivery()

    assert [worker.exitcode for worker in workers] == [0, 0]
    assert sample("callbacks_assigned_total") == before + 3
    assert sample("outbound_webhook_deliveries_total", outcome="delivered") == delivered + 3


def test_failed_celery_tasks_are_counted_by_task_name():
    class Task:
        name = "ops.probe"

    before = sample("celery_task_failures_total", task="ops.probe")
    task_failure.send(sender=Task(), task_id="t-1", exception=RuntimeError("boom"))
    assert sample("celery_task_failures_total", task="ops.probe") == before + 1


@override_settings(CELERY_TASK_DEFAULT_QUEUE="ops-probe-queue")
def test_queue_depth_is_read_from_the_broker_at_scrape_time(public_client):
    redis = get_redis()
    redis.delete("ops-probe-queue")
    redis.rpush("ops-probe-queue", "a", "b", "c")
    try:
        body = public_client.get("/metrics").content.decode()
    finally:
        redis.delete("ops-probe-queue")
    assert 'celery_queue_length{queue="ops-probe-queue"} 3.0' in body


def test_webhook_requests_are_counted_and_timed_by_source_and_outcome(public_client):
    before = sample("webhook_requests_total", source="retell", outcome="rejected")
    timed = sample("webhook_processing_seconds_count", source="retell")
    response = public_client.post("/webhooks/retell/", data="{}", content_type="application/json")

    assert 400 <= response.status_code < 500  # unsigned
    assert sample("webhook_requests_total", source="retell", outcome="rejected") == before + 1
    assert sample("webhook_processing_seconds_count", source="retell") == timed + 1


def test_open_callbacks_are_reported_per_company_and_priority(public_client, companies):
    with tenant_context(companies["acme"]):
        CallbackRequestFactory(priority="urgent")
        CallbackRequestFactory(priority="urgent", status="completed")
    body = public_client.get("/metrics").content.decode()
    assert 'switchboard_callbacks_open{company="acme",priority="urgent"} 1.0' in body
    assert 'switchboard_callbacks_open{company="globex",priority="urgent"} 0.0' in body


@pytest.mark.worker
def test_a_scrape_includes_what_the_celery_worker_counted(celery_worker_process):
    before = sample("celery_task_failures_total", task="callbacks.auto_assign")
    auto_assign.delay(0)  # no such callback (and no company schema): the task fails in the worker
    deadline = time.monotonic() + 60
    while sample("celery_task_failures_total", task="callbacks.auto_assign") == before:
        assert time.monotonic() < deadline, "the worker's failure never reached the shared metrics"
        time.sleep(0.2)


def test_company_becomes_a_label_only_where_configured():
    script = (
        "import django; django.setup(); from common import metrics; "
        "print(metrics.CALLBACKS_CREATED._labelnames, metrics.CALLBACKS_ASSIGNED._labelnames)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "METRICS_COMPANY_LABEL": "true"}
    labelled = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)

    assert labelled.stdout.strip() == "('priority', 'company') ('company',)"
    assert (CALLBACKS_CREATED._labelnames, CALLBACKS_ASSIGNED._labelnames) == (("priority",), ())
