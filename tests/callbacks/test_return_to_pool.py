"""Callbacks return to the pool when their assignee is absent, deactivated, stops taking callbacks, or lets
one sit untouched; they go to someone else at once or wait, pending, with the reason on the timeline.

The clock stands on Wednesday 4 March 2026, 10:00 in Berlin; Anna, Ben (and Cem) work at Mitte.
"""

import logging
from datetime import date, timedelta
from unittest.mock import patch

import pytest
from celery.app.task import Task
from kombu.exceptions import OperationalError

from callbacks import sweeps, tasks
from callbacks.assignment import eligible_staff, refusal
from callbacks.beat import CALLBACK_BEAT_SCHEDULE
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import callback_assign, callback_auto_assign, callback_create
from callbacks.services.pool import staff_release, staff_release_sweep
from common.messages import render_message
from org.models import Absence
from org.services import absence_save, staff_save
from tests.callbacks.conftest import names, queued_task_names
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import AbsenceFactory
from tests.messages import english
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status
TODAY = date(2026, 3, 4)


def holiday(staff, starts_on=TODAY, ends_on=date(2026, 3, 12), **fields) -> Absence:
    return AbsenceFactory(staff=staff, starts_on=starts_on, ends_on=ends_on, **fields)


def held_by(staff, branch, **fields) -> CallbackRequest:
    return AssignedCallbackFactory(branch=branch, assigned_to=staff, **fields)


# --- eligibility ---------------------------------------------------------------------------------------


def test_an_absent_person_is_not_eligible_and_the_refusal_says_so(mitte, anna, ben, clock):
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    holiday(anna)
    assert list(eligible_staff(callback)) == [ben]
    assert refusal(anna, callback).code == "absent"
    assert refusal(ben, callback) is None


def test_an_absence_that_ended_yesterday_or_starts_tomorrow_does_not_count(mitte, anna, clock):
    callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    holiday(anna, starts_on=date(2026, 2, 20), ends_on=date(2026, 3, 3))
    holiday(anna, starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 9))
    assert list(eligible_staff(callback)) == [anna]


def test_auto_assignment_skips_the_absent(mitte, anna, ben, clock, django_capture_on_commit_callbacks):
    holiday(anna)
    for number in range(3):
        created, _ = callback_create(branch_id=mitte.pk, phone=f"+49171123456{number}")
        assert callback_auto_assign(callback=created).assigned_to == ben


# --- an absence starts ---------------------------------------------------------------------------------


def test_saving_an_absence_that_covers_today_hands_the_callbacks_to_someone_else(
    mitte, anna, ben, clock, django_capture_on_commit_callbacks
):
    callback = held_by(anna, mitte)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        absence_save(absence=Absence(staff=anna, kind="holiday", starts_on=TODAY, ends_on=date(2026, 12, 12)))
    assert "callbacks.release_staff" in queued_task_names(queued)
    callback.refresh_from_db()
    assert callback.assigned_to == ben
    assert english(callback.assignment_reason).startswith(
        "Back to the pool: Anna is absent (Holiday) until 12.12.;"
    )
    assert Absence.objects.get(staff=anna).released_at == WEDNESDAY_10


def test_the_reason_is_shown_in_german_to_a_german_reader(mitte, anna, ben, clock):
    callback = held_by(anna, mitte)
    holiday(anna, kind=Absence.Kind.SICK, ends_on=date(2026, 12, 12))
    staff_release(staff=anna)
    entry = callback.timeline.get(kind=CallbackEvent.Kind.ASSIGNED)
    assert "Zurück in den Pool: Anna ist abwesend (Krank) bis 12.12." in render_message(entry.message, "de")


def test_an_absence_in_the_future_changes_nothing_until_the_sweep_finds_it_started(
    mitte, anna, ben, clock, django_capture_on_commit_callbacks
):
    callback = held_by(anna, mitte)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        absence = absence_save(
            absence=Absence(staff=anna, kind="training", starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 5))
        )
    assert "callbacks.release_staff" not in queued_task_names(queued)
    assert staff_release_sweep() == 0
    callback.refresh_from_db()
    assert callback.assigned_to == anna

    clock.shift(timedelta(days=1))
    assert staff_release_sweep() == 1
    assert staff_release_sweep() == 0  # released once
    callback.refresh_from_db()
    absence.refresh_from_db()
    assert callback.assigned_to == ben
    assert absence.released_at == WEDNESDAY_10 + timedelta(days=1)
    assert callback.timeline.filter(kind=CallbackEvent.Kind.ASSIGNED).count() == 1


def test_nobody_else_to_take_it_leaves_it_pending_for_the_pool_and_tells_the_managers(
    mitte, anna, clock, events
):
    callback = held_by(anna, mitte)
    holiday(anna)
    assert staff_release_sweep() == 1
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (Status.PENDING, None)
    assert english(callback.unassignable_reason).startswith(
        "Back to the pool: Anna is absent (Holiday) until 12.03.;"
    )
    assert names(events) == ["callback.unassignable"]
    assert events[0]["audience"] == ["branch_managers"]


def test_the_pool_is_drawn_from_when_someone_comes_back(mitte, anna, ben, clock):
    callback = held_by(anna, mitte)
    ben.is_active = False
    ben.save()
    holiday(anna, ends_on=TODAY)
    staff_release_sweep()
    ben.is_active = True
    ben.save()
    sweeps.assign_pending()
    callback.refresh_from_db()
    assert callback.assigned_to == ben


def test_contacted_callbacks_move_too_and_closed_ones_stay(mitte, anna, ben, clock):
    contacted = held_by(anna, mitte, status=Status.CONTACTED)
    done = held_by(anna, mitte, status=Status.COMPLETED)
    holiday(anna)
    staff_release(staff=anna)
    contacted.refresh_from_db()
    done.refresh_from_db()
    assert (contacted.status, contacted.assigned_to) == (Status.CONTACTED, ben)
    assert done.assigned_to == anna


# --- deactivated, or no longer taking callbacks -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "said"),
    [("is_active", "Anna is no longer active;"), ("accepts_callbacks", "Anna no longer takes")],
)
def test_someone_who_stops_taking_callbacks_loses_their_open_ones(
    mitte, anna, ben, clock, django_capture_on_commit_callbacks, field, said
):
    callback = held_by(anna, mitte)
    setattr(anna, field, False)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        staff_save(staff=anna)
    assert "callbacks.release_staff" in queued_task_names(queued)
    callback.refresh_from_db()
    assert callback.assigned_to == ben
    assert said in english(callback.assignment_reason)


def test_other_changes_to_a_person_queue_nothing(mitte, anna, clock, django_capture_on_commit_callbacks):
    held_by(anna, mitte)
    anna.max_open_callbacks = 20
    with django_capture_on_commit_callbacks(execute=True) as queued:
        staff_save(staff=anna)
    assert "callbacks.release_staff" not in queued_task_names(queued)


def test_a_lost_release_is_done_by_the_sweep(mitte, anna, ben, clock):
    callback = held_by(anna, mitte)
    anna.is_active = False
    anna.save()  # as if the queued release never arrived
    assert staff_release_sweep() == 1
    callback.refresh_from_db()
    assert callback.assigned_to == ben
    assert staff_release_sweep() == 0


def test_a_release_whose_message_was_lost_with_the_broker_down_is_done_by_the_sweep_once(
    mitte, anna, ben, clock, django_capture_on_commit_callbacks, caplog
):
    callback = held_by(anna, mitte)
    anna.is_active = False
    with (
        caplog.at_level(logging.ERROR),
        patch.object(Task, "apply_async", side_effect=OperationalError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        staff_save(staff=anna)
    assert "Connection refused" in caplog.text  # lost and logged; the deactivation is committed
    callback.refresh_from_db()
    assert callback.assigned_to == anna
    assert [staff_release_sweep(), staff_release_sweep()] == [1, 0]
    callback.refresh_from_db()
    assert callback.assigned_to == ben


def test_someone_reactivated_before_the_task_ran_keeps_their_callbacks(mitte, anna, ben, clock):
    callback = held_by(anna, mitte)
    assert tasks.release_staff(anna.pk) == 0
    callback.refresh_from_db()
    assert callback.assigned_to == anna


def test_the_release_sweep_is_on_the_beat_schedule():
    entry = CALLBACK_BEAT_SCHEDULE["callbacks-release-unavailable-staff"]
    assert entry["args"] == ("callbacks.release_unavailable_staff",)


# --- untouched callbacks -------------------------------------------------------------------------------


def test_an_untouched_callback_nobody_else_can_take_returns_to_the_pool(mitte, anna, clock, events):
    callback = held_by(anna, mitte, reassign_due_at=WEDNESDAY_10)
    sweeps.hand_on_untouched()
    sweeps.hand_on_untouched()
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (Status.PENDING, None)
    assert english(callback.unassignable_reason).startswith(
        "Back to the pool: Anna made no contact attempt within 50% of the time to the deadline;"
    )
    assert callback.timeline.filter(kind=CallbackEvent.Kind.UNASSIGNABLE).count() == 1


def test_the_pool_does_not_give_an_untouched_callback_back_to_the_same_person(mitte, anna, ben, clock):
    callback = held_by(anna, mitte, reassign_due_at=WEDNESDAY_10)
    ben.accepts_callbacks = False
    ben.save()
    sweeps.hand_on_untouched()
    sweeps.assign_pending()
    callback.refresh_from_db()
    assert (callback.status, callback.assigned_to) == (Status.PENDING, None)

    ben.accepts_callbacks = True
    ben.save()
    sweeps.assign_pending()
    callback.refresh_from_db()
    assert callback.assigned_to == ben


def test_a_manager_may_still_give_it_back_by_hand(mitte, anna, clock):
    callback = held_by(anna, mitte, reassign_due_at=WEDNESDAY_10)
    sweeps.hand_on_untouched()
    assert callback_assign(callback=callback, staff=anna).assigned_to == anna
