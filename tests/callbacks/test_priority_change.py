"""A manager raises or lowers a callback's priority: the deadline follows the new SLA budget."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import PRIORITY_OF_CLOSED, UNKNOWN_PRIORITY, callback_create, callback_set_priority
from tests.callbacks.conftest import names
from tests.personas import WEDNESDAY_10

Priority = CallbackRequest.Priority


@pytest.fixture
def normal_callback(clock, mitte):
    callback, _ = callback_create(branch_id=mitte.pk, phone="+49 171 1234567", customer_name="Clara")
    return callback


def test_raising_priority_to_urgent_brings_the_deadline_forward(normal_callback, events):
    assert normal_callback.expires_at == WEDNESDAY_10 + timedelta(days=1)

    callback = callback_set_priority(callback=normal_callback, priority=Priority.URGENT)

    assert callback.priority == Priority.URGENT
    assert callback.expires_at == WEDNESDAY_10 + timedelta(hours=2)
    assert names(events)[-1] == "callback.priority_changed"
    # The clock is frozen, so both entries share one timestamp: the timeline orders them by time, then id.
    timeline = CallbackEvent.objects.filter(callback=callback).values_list("kind", flat=True)
    assert list(timeline)[-1] == CallbackEvent.Kind.PRIORITY_CHANGED


def test_priority_of_a_closed_callback_cannot_change(normal_callback):
    CallbackRequest.objects.filter(pk=normal_callback.pk).update(status="completed")
    with pytest.raises(ValidationError) as error:
        callback_set_priority(callback=normal_callback, priority=Priority.HIGH)
    assert error.value.messages == [str(PRIORITY_OF_CLOSED % {"current": "completed"})]
    assert CallbackRequest.objects.get(pk=normal_callback.pk).priority == Priority.NORMAL


def test_unknown_priority_is_refused_and_changes_nothing(normal_callback):
    with pytest.raises(ValidationError) as error:
        callback_set_priority(callback=normal_callback, priority="whenever")
    assert error.value.message_dict["priority"] == [str(UNKNOWN_PRIORITY % {"value": "whenever"})]
    assert CallbackRequest.objects.get(pk=normal_callback.pk).expires_at == normal_callback.expires_at
