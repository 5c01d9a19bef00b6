"""Who may take a callback: one rule (`callbacks.assignment`), as a queryset and as a refusal naming why."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks import assignment
from callbacks.services import (
    STAFF_INACTIVE,
    STAFF_NOT_ACCEPTING,
    STAFF_WITHOUT_SERVICE,
    callback_assign,
)
from org.models import Staff
from tests.callbacks.conftest import staff_at
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory

pytestmark = pytest.mark.django_db


def test_manual_assignment_refuses_someone_who_takes_no_callbacks(mitte, max_manager):
    callback = CallbackRequestFactory(branch=mitte)

    with pytest.raises(ValidationError) as error:
        callback_assign(callback=callback, staff=max_manager)

    assert error.value.message_dict["assigned_to"] == [STAFF_NOT_ACCEPTING % {"staff": "Max"}]
    callback.refresh_from_db()
    assert callback.assigned_to is None


def test_manual_assignment_refuses_someone_who_does_not_handle_the_service(mitte, haircut):
    colourist = staff_at(mitte, "Cora")
    callback = CallbackRequestFactory(branch=mitte, service=haircut)

    with pytest.raises(ValidationError) as error:
        callback_assign(callback=callback, staff=colourist)

    assert error.value.message_dict["assigned_to"] == [
        STAFF_WITHOUT_SERVICE % {"staff": "Cora", "service": "Haircut"}
    ]


def test_manual_assignment_refuses_a_deactivated_person(mitte, anna):
    anna.is_active = False
    anna.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as error:
        callback_assign(callback=CallbackRequestFactory(branch=mitte), staff=anna)

    assert error.value.message_dict["assigned_to"] == [STAFF_INACTIVE % {"staff": "Anna"}]


def test_the_queryset_and_the_refusal_agree_on_everyone(mitte, haircut, anna, ben, max_manager):
    ben.max_open_callbacks = 1
    ben.save(update_fields=["max_open_callbacks"])
    AssignedCallbackFactory(branch=mitte, assigned_to=ben)
    others = [staff_at(BranchFactory(name="Nord"), "Nils", haircut), staff_at(mitte, "Cora")]
    callback = CallbackRequestFactory(branch=mitte, service=haircut)

    offered = set(assignment.eligible_staff(callback))
    accepted = {p for p in [anna, ben, max_manager, *others] if assignment.refusal(p, callback) is None}

    assert offered == accepted == {anna}


def test_open_workload_counts_open_callbacks_that_are_not_deleted(mitte, anna):
    AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, status="contacted")
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, status="completed")
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, deleted_at=timezone.now())

    assert assignment.open_callback_count(anna) == 2


def test_someone_at_two_branches_is_not_counted_twice(mitte, anna):
    anna.branches.add(BranchFactory(name="Nord"))
    AssignedCallbackFactory(branch=mitte, assigned_to=anna)

    people = assignment.with_open_load(Staff.objects.filter(branches__name__in=["Mitte", "Nord"]))

    assert [person.open_load for person in people] == [1]
