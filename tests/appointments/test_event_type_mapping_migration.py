"""The data migration that gave existing event type mappings their branch: the one they effectively used."""

import importlib

from appointments.models import EventTypeMapping
from org.models import Branch
from tests.factories.org import BranchFactory, ServiceFactory, StaffFactory

fill = importlib.import_module("appointments.migrations.0008_event_type_mapping_fill_branches")


def test_a_default_mapping_gets_the_services_first_active_branch(company):
    closed, first, second = BranchFactory(is_active=False), BranchFactory(), BranchFactory()
    service = ServiceFactory(branches=[second, first, closed])

    assert fill._branch_used(EventTypeMapping(service=service), Branch) == min(
        first, second, key=lambda b: b.pk
    )


def test_a_staff_mapping_gets_the_first_active_branch_the_staff_member_works_at(company):
    first, second = BranchFactory(), BranchFactory()
    service = ServiceFactory(branches=[first, second])
    anna = StaffFactory(branches=[second])

    assert fill._branch_used(EventTypeMapping(service=service, staff=anna), Branch) == second


def test_without_an_active_branch_the_first_of_any_state_and_without_any_none(company):
    closed = BranchFactory(is_active=False)

    assert fill._branch_used(EventTypeMapping(service=ServiceFactory(branches=[closed])), Branch) == closed
    assert fill._branch_used(EventTypeMapping(service=ServiceFactory()), Branch) is None
