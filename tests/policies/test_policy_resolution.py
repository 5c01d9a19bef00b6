"""Which policy applies: staff → service → branch → company → built-in default, cached per company."""

import pytest
from django.db import transaction
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies import services
from policies.rules import Level, PolicyType
from policies.selectors import (
    Targets,
    policies_for_appointments,
    policy_chain,
    policy_for_appointment,
    policy_resolve,
)
from tests.factories.org import BranchFactory, ServiceFactory, StaffFactory
from tests.factories.policies import PolicyAppointmentFactory, PolicyFactory
from tests.policies.helpers import rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(company):
    return PolicyAppointmentFactory(staff=StaffFactory())


def hours_of(resolved) -> int:
    return int(resolved.rules.hours_before)


def test_without_any_policy_the_built_in_default_allows_everything_free(appointment):
    resolved = policy_for_appointment(appointment, PolicyType.CANCELLATION)

    assert resolved.level is Level.DEFAULT
    assert resolved.policy_id is None
    assert resolved.rules.hours_before == 0
    assert resolved.rules.quota_limit is None


def test_the_company_policy_applies_when_nothing_more_specific_exists(appointment):
    policy = PolicyFactory(settings={"hours_before": 12})

    resolved = policy_for_appointment(appointment, PolicyType.CANCELLATION)

    assert (resolved.level, resolved.policy_id, hours_of(resolved)) == (Level.COMPANY, policy.pk, 12)


def test_each_more_specific_level_wins_over_the_ones_above_it(appointment):
    PolicyFactory(settings={"hours_before": 1})
    PolicyFactory(branch=appointment.branch, settings={"hours_before": 2})
    assert hours_of(policy_for_appointment(appointment, "cancellation")) == 2

    PolicyFactory(service=appointment.service, settings={"hours_before": 3})
    assert hours_of(policy_for_appointment(appointment, "cancellation")) == 3

    PolicyFactory(staff=appointment.staff, settings={"hours_before": 4})
    resolved = policy_for_appointment(appointment, "cancellation")
    assert (resolved.level, hours_of(resolved)) == (Level.STAFF, 4)


def test_policies_of_other_targets_and_types_do_not_apply(appointment):
    PolicyFactory(branch=BranchFactory(), settings={"hours_before": 2})
    PolicyFactory(service=ServiceFactory(), settings={"hours_before": 3})
    PolicyFactory(staff=StaffFactory(), settings={"hours_before": 4})
    PolicyFactory(policy_type=PolicyType.RESCHEDULE, settings={"hours_before": 5})

    assert policy_for_appointment(appointment, PolicyType.CANCELLATION).level is Level.DEFAULT


def test_a_deleted_policy_falls_back_to_the_next_level(appointment):
    PolicyFactory(branch=appointment.branch, settings={"hours_before": 2})
    service_policy = PolicyFactory(service=appointment.service, settings={"hours_before": 3})

    services.policy_delete(policy=service_policy)

    resolved = policy_for_appointment(appointment, "cancellation")
    assert (resolved.level, hours_of(resolved)) == (Level.BRANCH, 2)


def test_an_appointment_without_staff_skips_the_staff_level(company):
    appointment = PolicyAppointmentFactory(staff=None)
    PolicyFactory(service=appointment.service, settings={"hours_before": 3})

    assert policy_for_appointment(appointment, "cancellation").level is Level.SERVICE


def test_an_explicit_override_inherits_what_it_does_not_set(appointment):
    branch_policy = PolicyFactory(
        branch=appointment.branch,
        settings={
            "hours_before": 24,
            "max_cancellations_per_month": 2,
            "fee": {"kind": "fixed", "amount": 10},
        },
    )
    PolicyFactory(staff=appointment.staff, overrides=branch_policy, settings={"hours_before": 2})

    rules = policy_for_appointment(appointment, "cancellation").rules

    assert (rules.hours_before, rules.max_cancellations_per_month, rules.fee.amount) == (2, 2, 10)


def test_an_override_of_a_deleted_policy_keeps_only_its_own_settings(appointment):
    branch_policy = PolicyFactory(branch=appointment.branch, settings={"max_cancellations_per_month": 2})
    PolicyFactory(staff=appointment.staff, overrides=branch_policy, settings={"hours_before": 2})

    services.policy_delete(policy=branch_policy)

    rules = policy_for_appointment(appointment, "cancellation").rules
    assert (rules.hours_before, rules.max_cancellations_per_month) == (2, None)


def test_the_chain_shows_every_level_for_the_admin(appointment):
    PolicyFactory(settings={"hours_before": 1})
    PolicyFactory(service=appointment.service, settings={"hours_before": 3})

    chain = policy_chain(policy_type="cancellation", targets=Targets.of(appointment))

    assert [None if c is None else c.level for c in chain] == [None, Level.SERVICE, None, Level.COMPANY]


def test_a_resolved_policy_comes_from_the_cache_without_queries(
    appointment, assert_data_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        PolicyFactory(settings={"hours_before": 6})
    policy_for_appointment(appointment, "cancellation")

    with assert_data_queries(0):
        resolved = policy_for_appointment(appointment, "cancellation")

    assert hours_of(resolved) == 6


def test_a_committed_change_is_seen_at_once(appointment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = PolicyFactory(settings={"hours_before": 6})
    assert hours_of(policy_for_appointment(appointment, "cancellation")) == 6

    with django_capture_on_commit_callbacks(execute=True):
        policy.settings = {"hours_before": 8}
        services.policy_save(policy=policy)

    assert hours_of(policy_for_appointment(appointment, "cancellation")) == 8


def test_a_rolled_back_change_never_reaches_the_cache(appointment):
    with pytest.raises(RuntimeError), transaction.atomic():
        PolicyFactory(settings={"hours_before": 6})
        assert hours_of(policy_for_appointment(appointment, "cancellation")) == 6
        raise RuntimeError("rolled back")

    assert policy_for_appointment(appointment, "cancellation").level is Level.DEFAULT


def test_batch_resolution_costs_one_query_however_many_appointments(company, assert_data_queries):
    branch = BranchFactory()
    PolicyFactory(branch=branch, settings={"hours_before": 2})
    few = [PolicyAppointmentFactory(branch=branch) for _ in range(2)]
    many = [*few, *(PolicyAppointmentFactory() for _ in range(10))]

    with assert_data_queries(1):
        policies_for_appointments(few, "cancellation")
    with assert_data_queries(1):
        resolved = policies_for_appointments(many, "cancellation")

    assert [resolved[a.pk].level for a in many] == [Level.BRANCH] * 2 + [Level.DEFAULT] * 10


def test_one_companys_policies_never_apply_in_another(
    company, other_company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        PolicyFactory(settings={"hours_before": 48})
    targets = Targets(None, None, None)
    assert policy_resolve(policy_type="cancellation", targets=targets).level is Level.COMPANY

    with tenant_context(other_company):
        assert policy_resolve(policy_type="cancellation", targets=targets).level is Level.DEFAULT


levels = st.sets(st.sampled_from([Level.STAFF, Level.SERVICE, Level.BRANCH, Level.COMPANY]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(with_policy=levels, deleted=levels)
def test_the_most_specific_live_policy_always_wins(appointment, with_policy, deleted):
    """Property: whatever levels have a policy, and whichever of them are deleted, the first live one wins."""
    targets = {
        Level.STAFF: {"staff": appointment.staff},
        Level.SERVICE: {"service": appointment.service},
        Level.BRANCH: {"branch": appointment.branch},
        Level.COMPANY: {},
    }
    hours = {Level.STAFF: 4, Level.SERVICE: 3, Level.BRANCH: 2, Level.COMPANY: 1, Level.DEFAULT: 0}
    with rolled_back():
        for level in with_policy:
            policy = PolicyFactory(settings={"hours_before": hours[level]}, **targets[level])
            if level in deleted:
                services.policy_delete(policy=policy)

        resolved = policy_for_appointment(appointment, "cancellation")

        live = [
            lvl
            for lvl in (Level.STAFF, Level.SERVICE, Level.BRANCH, Level.COMPANY)
            if lvl in with_policy - deleted
        ]
        expected = live[0] if live else Level.DEFAULT
        assert (resolved.level, hours_of(resolved)) == (expected, hours[expected])


def test_a_policy_removed_with_its_branch_leaves_the_cache(company, django_capture_on_commit_callbacks):
    branch = BranchFactory()
    with django_capture_on_commit_callbacks(execute=True):
        policy = PolicyFactory(branch=branch, settings={"hours_before": 2})
    targets = Targets(branch.pk, None, None)
    assert policy_resolve(policy_type="cancellation", targets=targets).policy_id == policy.pk

    with django_capture_on_commit_callbacks(execute=True):
        branch.delete()

    assert policy_resolve(policy_type="cancellation", targets=targets).level is Level.DEFAULT
