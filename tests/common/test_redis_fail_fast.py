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


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_cached_read_is_built_from_the_database_when_redis_is_gone(settings):
    """The cache is a shortcut, never a dependency: with no Redis answering, `cached` builds every time."""
    from common.redis import cached

    gone = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{_free_port()}/0"}
    built = []
    with override_settings(CACHES={"default": gone}):
        first = cached("probe", lambda: built.append(1) or "fresh", 60)
        second = cached("probe", lambda: built.append(1) or "fresh", 60)

    assert (first, second, len(built)) == ("fresh", "fresh", 2)


def test_a_cached_read_is_built_once_while_redis_answers():
    from common.redis import cached

    built = []
    values = [cached("probe-ok", lambda: built.append(1) or {"branches": 3}, 60) for _ in range(3)]

    assert values == [{"branches": 3}] * 3 and len(built) == 1
