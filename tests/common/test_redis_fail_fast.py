"""A Redis that just failed is not asked again for a moment: a hung Redis costs a request one timeout."""

import logging
from unittest.mock import patch

import pytest
import redis
from celery import Task
from django.test import override_settings
from kombu.exceptions import OperationalError

from callbacks import tasks as callback_tasks
from common.redis import redis_recently_failed
from common.tasks import enqueue_on_commit

pytestmark = pytest.mark.django_db
TIMED_OUT = OperationalError("Timeout reading from 127.0.0.1:6379")
TIMED_OUT.__cause__ = redis.exceptions.TimeoutError("Timeout reading from socket")  # as kombu wraps it
REFUSED = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_after_one_failed_publish_further_queueing_in_the_process_is_skipped_and_logged(
    django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING),
        patch.object(Task, "apply_async", side_effect=TIMED_OUT) as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for callback_id in (1, 2, 3):
            enqueue_on_commit(callback_tasks.auto_assign, callback_id)

    assert publish.call_count == 1
    assert redis_recently_failed()
    assert caplog.text.count("redis failed moments ago: queueing callbacks.auto_assign skipped") == 2


@override_settings(REDIS_FAIL_FAST_SECONDS=0)
def test_once_the_fail_fast_window_has_passed_redis_is_asked_again(django_capture_on_commit_callbacks):
    with (
        patch.object(Task, "apply_async", side_effect=TIMED_OUT) as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(callback_tasks.auto_assign, 1)
        enqueue_on_commit(callback_tasks.auto_assign, 2)

    assert publish.call_count == 2


def test_a_refused_connection_fails_at_once_and_does_not_stop_the_next_publish(
    django_capture_on_commit_callbacks,
):
    with (
        patch.object(Task, "apply_async", side_effect=REFUSED) as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(callback_tasks.auto_assign, 1)
        enqueue_on_commit(callback_tasks.auto_assign, 2)

    assert publish.call_count == 2
    assert not redis_recently_failed()
