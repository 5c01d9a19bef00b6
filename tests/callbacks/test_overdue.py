"""Overdue: open and past its deadline. One definition (`callbacks.models.overdue_q`) for all readers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory

pytestmark = pytest.mark.django_db


def test_open_callbacks_past_their_deadline_are_overdue_and_closed_ones_never(mitte, anna):
    now = timezone.now()
    late = AssignedCallbackFactory(branch=mitte, assigned_to=anna, expires_at=now - timedelta(minutes=1))
    due_now = CallbackRequestFactory(branch=mitte, expires_at=now)
    done = CallbackRequestFactory(branch=mitte, status="completed", expires_at=now - timedelta(hours=1))

    overdue = set(CallbackRequest.objects.overdue(now))

    assert overdue == {late}
    assert [cb.is_overdue for cb in (late, due_now, done)] == [True, False, False]
