"""Who is told: the branch's managers, and from the third escalation on the company's admins too."""

from datetime import timedelta

import pytest

from callbacks import sweeps
from callbacks.selectors import recipients
from org.roles import Role
from tests.callbacks.conftest import WEDNESDAY_10, staff_at
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory

pytestmark = pytest.mark.django_db


def test_managers_of_the_callbacks_branch_are_told_not_those_of_other_branches(mitte, anna, max_manager):
    staff_at(BranchFactory(name="Nord"), "Nora", role=Role.MANAGER)
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    assert list(recipients(callback, ["branch_managers"])) == [max_manager]


def test_third_escalation_reaches_managers_and_admins(mitte, anna, max_manager, ada_admin, clock, events):
    callback = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, expires_at=WEDNESDAY_10 - timedelta(hours=1)
    )
    for _ in range(3):
        sweeps.escalate_overdue()
        clock.shift(timedelta(hours=4))
    audiences = [event["audience"] for event in events if event.name == "callback.escalated"]
    assert [list(recipients(callback, audience)) for audience in audiences] == [
        [max_manager],
        [max_manager],
        [ada_admin, max_manager],
    ]


def test_inactive_managers_are_not_told(mitte, anna, max_manager):
    max_manager.is_active = False
    max_manager.save()
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    assert not recipients(callback, ["branch_managers"]).exists()


def test_unknown_audience_is_refused_by_name(mitte, anna):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    with pytest.raises(ValueError, match="'everyone'"):
        recipients(callback, ["everyone"])
