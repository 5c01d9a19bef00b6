"""Auto-assignment: who is eligible, the load-based and round-robin strategies, and the reasons they give."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from appointments.models import Appointment
from callbacks.models import CallbackEvent, CallbackRequest
from callbacks.services import callback_auto_assign, callback_create, callbacks_bulk_auto_assign
from tests.callbacks.conftest import names, queued_task_names, staff_at
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory, ServiceFactory
from tests.messages import english
from tests.personas import BERLIN

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status


def auto_assign(callback, **kwargs):
    return callback_auto_assign(callback=callback, **kwargs)


def load(staff, count):
    for _ in range(count):
        AssignedCallbackFactory(branch=staff.branches.get(), assigned_to=staff)


def test_least_loaded_staff_member_gets_it_with_a_readable_reason(mitte, haircut, anna, ben, cem):
    load(anna, 3)
    load(ben, 2)
    load(cem, 4)
    callback = auto_assign(CallbackRequestFactory(branch=mitte, service=haircut))
    assert callback.assigned_to == ben
    assert callback.status == Status.ASSIGNED
    assert english(callback.assignment_reason) == "least loaded of 3 eligible for Haircut: 2 open"
    assert (
        english(callback.timeline.get().message)
        == "Assigned to Ben: least loaded of 3 eligible for Haircut: 2 open"
    )


def test_preferred_staff_member_comes_first_when_eligible(mitte, anna, ben):
    load(ben, 3)
    callback = auto_assign(CallbackRequestFactory(branch=mitte, preferred_staff=ben))
    assert callback.assigned_to == ben
    assert english(callback.assignment_reason) == "preferred staff member (3 open)"


def test_preferred_staff_member_who_is_not_eligible_is_passed_over(mitte, anna, ben):
    ben.accepts_callbacks = False
    ben.save()
    assert auto_assign(CallbackRequestFactory(branch=mitte, preferred_staff=ben)).assigned_to == anna


def test_whoever_last_reached_this_customer_comes_next(mitte, anna, ben, clock):
    load(ben, 2)
    CallbackRequestFactory(
        branch=mitte,
        phone="+491711234567",
        status=Status.COMPLETED,
        assigned_to=ben,
        contacted_at=timezone.now() - timedelta(days=3),
    )
    callback = auto_assign(CallbackRequestFactory(branch=mitte, phone="+491711234567"))
    assert callback.assigned_to == ben
    assert english(callback.assignment_reason) == "last handled this customer (2 open)"


def test_staff_who_served_the_customer_at_their_last_appointment_counts_as_last_handler(
    mitte, haircut, anna, ben, customer
):
    load(ben, 1)
    starts = timezone.now() - timedelta(days=7)
    Appointment.objects.create(
        customer=customer,
        service=haircut,
        branch=mitte,
        staff=ben,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        status=Appointment.Status.COMPLETED,
    )
    callback = auto_assign(CallbackRequestFactory(branch=mitte, customer=customer, phone=customer.phone))
    assert callback.assigned_to == ben


def test_equal_load_goes_to_who_was_assigned_least_recently(mitte, anna, ben, clock):
    auto_assign(CallbackRequestFactory(branch=mitte))  # Anna (lowest id, never assigned)
    clock.shift(timedelta(minutes=1))
    auto_assign(CallbackRequestFactory(branch=mitte))  # Ben: fewer open
    clock.shift(timedelta(minutes=1))
    third = auto_assign(CallbackRequestFactory(branch=mitte))
    assert third.assigned_to == anna


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"accepts_callbacks": False},
        {"max_open_callbacks": 0},
    ],
)
def test_ineligible_staff_are_never_chosen(mitte, anna, ben, change):
    for field, value in change.items():
        setattr(anna, field, value)
    anna.save()
    assert auto_assign(CallbackRequestFactory(branch=mitte)).assigned_to == ben


def test_staff_of_another_branch_are_not_eligible(mitte, anna):
    staff_at(BranchFactory(name="Nord"), "Nils")
    assert auto_assign(CallbackRequestFactory(branch=mitte)).assigned_to == anna


def test_only_staff_who_handle_the_service_are_eligible(mitte, haircut, anna):
    colouring = ServiceFactory(name="Colouring", branches=[mitte])
    dora = staff_at(mitte, "Dora", colouring)
    load(dora, 5)
    callback = auto_assign(CallbackRequestFactory(branch=mitte, service=colouring))
    assert callback.assigned_to == dora


def test_staff_at_their_maximum_are_skipped(mitte, anna, ben):
    anna.max_open_callbacks = 2
    anna.save()
    load(anna, 2)
    load(ben, 5)
    assert auto_assign(CallbackRequestFactory(branch=mitte)).assigned_to == ben


def test_nobody_is_on_duty_when_the_branch_is_closed(mitte, anna, clock, events):
    clock.move_to(datetime(2026, 3, 7, 11, 0, tzinfo=BERLIN), tick=False)  # Saturday
    callback = auto_assign(CallbackRequestFactory(branch=mitte))
    assert callback.status == Status.PENDING
    assert english(callback.unassignable_reason) == "Mitte is closed now, nobody is on duty"
    assert names(events) == ["callback.unassignable"]
    assert (events[0]["branch"], events[0]["audience"]) == (mitte, ["branch_managers"])


def test_unassignable_callback_stays_pending_with_the_reason_and_managers_are_told_once(
    mitte, haircut, events
):
    callback = CallbackRequestFactory(branch=mitte, service=haircut)
    callback = auto_assign(callback)
    auto_assign(callback)
    assert callback.status == Status.PENDING
    assert english(callback.unassignable_reason) == "nobody at Mitte who accepts callbacks handles Haircut"
    assert names(events) == ["callback.unassignable"]
    assert callback.timeline.filter(kind=CallbackEvent.Kind.UNASSIGNABLE).count() == 1


def test_everyone_at_capacity_is_named_as_the_reason(mitte, anna):
    anna.max_open_callbacks = 1
    anna.save()
    load(anna, 1)
    callback = auto_assign(CallbackRequestFactory(branch=mitte))
    assert (
        english(callback.unassignable_reason)
        == "all 1 eligible staff at Mitte have reached their maximum of open callbacks"
    )


def test_assignment_clears_the_unassignable_flag(mitte, clock):
    callback = auto_assign(CallbackRequestFactory(branch=mitte))
    assert callback.unassignable_reason
    staff_at(mitte, "Anna")
    callback = auto_assign(callback)
    assert callback.status == Status.ASSIGNED
    assert (callback.unassignable_reason, callback.unassignable_since) == ("", None)


def test_auto_assign_leaves_an_already_assigned_callback_alone(mitte, anna, ben, events):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    assert auto_assign(callback).assigned_to == anna
    assert events == []


def test_round_robin_takes_staff_in_turn_per_branch(mitte, anna, ben, cem, clock):
    load(anna, 3)  # round robin ignores load
    picked = []
    for _ in range(4):
        clock.shift(timedelta(seconds=1))
        picked.append(auto_assign(CallbackRequestFactory(branch=mitte), strategy="round_robin").assigned_to)
    assert picked == [anna, ben, cem, anna]


def test_round_robin_cursor_is_kept_per_branch(mitte, anna, ben, clock):
    nord = BranchFactory(name="Nord")
    nils = staff_at(nord, "Nils")
    auto_assign(CallbackRequestFactory(branch=mitte), strategy="round_robin")
    clock.shift(timedelta(seconds=1))
    assert auto_assign(CallbackRequestFactory(branch=nord), strategy="round_robin").assigned_to == nils
    clock.shift(timedelta(seconds=1))
    assert auto_assign(CallbackRequestFactory(branch=mitte), strategy="round_robin").assigned_to == ben


def test_company_can_choose_round_robin_as_its_strategy(mitte, anna, ben, company_settings):
    company_settings(CALLBACK_ASSIGNMENT_STRATEGY="round_robin")
    load(anna, 4)
    first = auto_assign(CallbackRequestFactory(branch=mitte))
    assert first.assigned_to == anna, "load-based would have chosen Ben"
    assert english(first.assignment_reason) == "round robin: 1 of 2 eligible"


def test_bulk_auto_assign_spreads_callbacks_evenly(mitte, anna, ben, cem):
    callbacks = [CallbackRequestFactory(branch=mitte) for _ in range(9)]
    result = callbacks_bulk_auto_assign(callback_ids=[c.pk for c in callbacks])
    assert (result.assigned, result.unassignable, result.skipped) == (9, 0, 0)
    counts = {staff.name: staff.assigned_callbacks.count() for staff in (anna, ben, cem)}
    assert counts == {"Anna": 3, "Ben": 3, "Cem": 3}


def test_bulk_round_robin_spreads_callbacks_evenly_too(mitte, anna, ben, cem):
    load(anna, 2)
    callbacks = [CallbackRequestFactory(branch=mitte) for _ in range(6)]
    callbacks_bulk_auto_assign(callback_ids=[c.pk for c in callbacks], strategy="round_robin")
    counts = {
        s.name: s.assigned_callbacks.filter(pk__in=[c.pk for c in callbacks]).count()
        for s in (anna, ben, cem)
    }
    assert counts == {"Anna": 2, "Ben": 2, "Cem": 2}


def test_bulk_auto_assign_handles_the_most_pressing_first_and_reports_what_it_did(mitte, anna):
    anna.max_open_callbacks = 1
    anna.save()
    normal = CallbackRequestFactory(branch=mitte)
    urgent = CallbackRequestFactory(branch=mitte, priority="urgent")
    done = AssignedCallbackFactory(branch=mitte, assigned_to=None, status=Status.COMPLETED)
    result = callbacks_bulk_auto_assign(callback_ids=[normal.pk, urgent.pk, done.pk])
    assert (result.assigned, result.unassignable, result.skipped) == (1, 1, 1)
    urgent.refresh_from_db()
    assert urgent.assigned_to == anna


def test_new_callback_is_auto_assigned_after_commit(mitte, anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    callback.refresh_from_db()
    assert callback.assigned_to == anna
    assert callback.status == Status.ASSIGNED


def test_nothing_is_queued_before_the_creation_commits(mitte, anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        callback, _ = callback_create(branch_id=mitte.pk, phone="+491711234567")
    callback.refresh_from_db()
    assert callback.status == Status.PENDING
    assert queued_task_names(queued) == ["callbacks.auto_assign"]
