"""The lifecycle: pending → assigned → contacted → completed; cancelled or expired from any open status."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from callbacks.models import CallbackEvent, CallbackRequest, ContactAttempt
from callbacks.services import (
    ALREADY_DELETED,
    CALLBACK_DELETED,
    NOT_DELETED,
    STAFF_AT_CAPACITY,
    STAFF_NOT_AT_BRANCH,
    UNKNOWN_REASON,
    CallbackTransitionError,
    callback_assign,
    callback_cancel,
    callback_complete,
    callback_create,
    callback_escalate,
    callback_expire,
    callback_record_contact_attempt,
    callback_restore,
    callback_soft_delete,
)
from tests.callbacks.conftest import names, staff_at
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory
from tests.messages import english
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status


def test_full_lifecycle_stamps_each_step_records_who_and_emits_one_event_each(
    mitte, anna, max_manager, events, clock
):
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    callback = callback_assign(callback=callback, staff=anna, by=max_manager.user)
    assert (callback.status, callback.assigned_to, callback.assigned_at) == (
        Status.ASSIGNED,
        anna,
        WEDNESDAY_10,
    )
    assert english(callback.assignment_reason) == "assigned by Max"
    clock.shift(timedelta(minutes=30))
    callback_record_contact_attempt(callback=callback, outcome=ContactAttempt.Outcome.REACHED, by=anna.user)
    callback.refresh_from_db()
    assert callback.status == Status.CONTACTED
    assert callback.contacted_at == WEDNESDAY_10 + timedelta(minutes=30)
    callback = callback_complete(callback=callback, by=anna.user, note="Termin vereinbart")
    assert callback.status == Status.COMPLETED
    assert callback.completed_at == WEDNESDAY_10 + timedelta(minutes=30)
    assert names(events) == [
        "callback.created",
        "callback.assigned",
        "callback.contacted",
        "callback.completed",
    ]
    timeline = list(callback.timeline.values_list("kind", "actor_name"))
    assert timeline == [
        ("created", "system"),
        ("assigned", "Max"),
        ("contact_attempt", "Anna"),
        ("contacted", "Anna"),
        ("completed", "Anna"),
    ]


@pytest.mark.parametrize("status", [Status.PENDING, Status.ASSIGNED, Status.CONTACTED])
def test_any_open_callback_can_be_cancelled(mitte, anna, status, events):
    callback = CallbackRequestFactory(branch=mitte, status=status, assigned_to=anna)
    callback = callback_cancel(callback=callback, reason="Kunde hat selbst gebucht")
    assert callback.status == Status.CANCELLED
    assert callback.cancelled_at == WEDNESDAY_10
    assert names(events) == ["callback.cancelled"]


@pytest.mark.parametrize("status", [Status.PENDING, Status.ASSIGNED, Status.CONTACTED])
def test_any_open_callback_can_expire(mitte, anna, status, events):
    callback = CallbackRequestFactory(branch=mitte, status=status, assigned_to=anna)
    callback = callback_expire(callback=callback)
    assert (callback.status, callback.expired_at) == (Status.EXPIRED, WEDNESDAY_10)
    assert names(events) == ["callback.expired"]


@pytest.mark.parametrize(
    ("status", "action", "requested"),
    [
        (Status.PENDING, callback_complete, "completed"),
        (Status.ASSIGNED, callback_complete, "completed"),
        (Status.COMPLETED, callback_cancel, "cancelled"),
        (Status.CANCELLED, callback_expire, "expired"),
        (Status.EXPIRED, callback_complete, "completed"),
    ],
)
def test_illegal_transition_names_both_statuses_and_changes_nothing(mitte, status, action, requested, events):
    callback = CallbackRequestFactory(branch=mitte, status=status)
    with pytest.raises(CallbackTransitionError) as error:
        action(callback=callback)
    assert error.value.messages == [f"A callback that is {status} cannot become {requested}."]
    callback.refresh_from_db()
    assert callback.status == status
    assert (callback.completed_at, callback.cancelled_at, callback.expired_at) == (None, None, None)
    assert events == []
    assert CallbackEvent.objects.count() == 0


def test_closed_callback_cannot_be_assigned(mitte, anna):
    callback = CallbackRequestFactory(branch=mitte, status=Status.COMPLETED)
    with pytest.raises(CallbackTransitionError, match="completed cannot become assigned"):
        callback_assign(callback=callback, staff=anna)


def test_closed_callback_cannot_be_escalated(mitte):
    callback = CallbackRequestFactory(branch=mitte, status=Status.CANCELLED)
    with pytest.raises(CallbackTransitionError, match="cancelled cannot become escalated"):
        callback_escalate(callback=callback, reason="manual")


def test_manual_assignment_refuses_staff_from_another_branch(mitte, events):
    stranger = staff_at(BranchFactory(name="Nord"), "Nils")
    callback = CallbackRequestFactory(branch=mitte)
    with pytest.raises(ValidationError) as error:
        callback_assign(callback=callback, staff=stranger)
    assert error.value.message_dict["assigned_to"] == [
        STAFF_NOT_AT_BRANCH % {"staff": "Nils", "branch": "Mitte"}
    ]
    callback.refresh_from_db()
    assert callback.status == Status.PENDING
    assert events == []


def test_manual_assignment_respects_the_maximum_of_open_callbacks(mitte, anna):
    anna.max_open_callbacks = 1
    anna.save()
    AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    with pytest.raises(ValidationError) as error:
        callback_assign(callback=CallbackRequestFactory(branch=mitte), staff=anna)
    assert error.value.message_dict["assigned_to"] == [
        STAFF_AT_CAPACITY % {"staff": "Anna", "count": 1, "maximum": 1}
    ]


def test_reassigning_keeps_the_status_and_records_the_previous_assignee(mitte, anna, ben, events):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    callback = callback_assign(callback=callback, staff=ben)
    assert (callback.status, callback.assigned_to) == (Status.ASSIGNED, ben)
    assert events[0]["previous_staff"] == anna
    assert callback.timeline.get().details["previous_staff_id"] == anna.pk


def test_soft_deleted_callback_disappears_and_can_be_restored(mitte):
    callback = CallbackRequestFactory(branch=mitte)
    callback_soft_delete(callback=callback)
    assert not CallbackRequest.objects.filter(pk=callback.pk).exists()
    assert CallbackRequest.all_objects.get(pk=callback.pk).deleted_at == WEDNESDAY_10
    callback_restore(callback=callback)
    assert CallbackRequest.objects.filter(pk=callback.pk).exists()
    kinds = list(callback.timeline.values_list("kind", flat=True))
    assert kinds == ["deleted", "restored"]


def test_deleted_callback_refuses_changes_until_restored(mitte):
    callback = CallbackRequestFactory(branch=mitte)
    callback_soft_delete(callback=callback)
    with pytest.raises(ValidationError) as error:
        callback_cancel(callback=callback)
    assert error.value.messages == [str(CALLBACK_DELETED)]
    with pytest.raises(ValidationError, match=str(ALREADY_DELETED)):
        callback_soft_delete(callback=callback)


def test_restoring_a_callback_that_is_not_deleted_is_refused(mitte):
    with pytest.raises(ValidationError, match=str(NOT_DELETED)):
        callback_restore(callback=CallbackRequestFactory(branch=mitte))


def test_timeline_entries_cannot_be_rewritten(mitte):
    callback = CallbackRequestFactory(branch=mitte)
    callback_cancel(callback=callback)
    entry = callback.timeline.get()
    entry.message = "nothing happened"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_manual_escalation_to_a_chosen_person_hands_it_over(mitte, anna, ben, max_manager, events):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    escalation = callback_escalate(callback=callback, reason="manual", to_staff=ben, by=max_manager.user)
    callback.refresh_from_db()
    assert (escalation.from_staff, escalation.to_staff, escalation.escalated_by) == (
        anna,
        ben,
        max_manager.user,
    )
    assert callback.assigned_to == ben
    assert names(events) == ["callback.assigned", "callback.escalated"]


def test_unknown_escalation_reason_is_refused_and_changes_nothing(mitte, anna, events):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    with pytest.raises(ValidationError) as error:
        callback_escalate(callback=callback, reason="bored")
    assert error.value.message_dict["reason"] == [UNKNOWN_REASON % {"value": "bored"}]
    callback.refresh_from_db()
    assert callback.escalation_level == 0
    assert events == []
