"""The policy in force at booking travels with the appointment; later changes never alter its terms."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies import services
from policies.models import JudgedBy
from policies.rules import Level
from policies.services import can_cancel, policy_snapshot_for
from tests.factories.org import StaffFactory
from tests.factories.policies import PolicyAppointmentFactory, PolicyFactory
from tests.policies.helpers import rolled_back

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LENIENT = {"hours_before": 2, "max_cancellations_per_month": None, "fee": {"kind": "none"}}


def book(**kwargs):
    """An appointment booked now, 30 hours ahead, with the snapshot the appointments app stores."""
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=30), **kwargs)
    appointment.policy_snapshot = policy_snapshot_for(
        branch=appointment.branch, service=appointment.service, staff=appointment.staff, at=NOW
    )
    appointment.save(update_fields=["policy_snapshot"])
    return appointment


def test_the_snapshot_holds_both_policies_and_where_they_came_from(company):
    staff = StaffFactory()
    staff_policy = PolicyFactory(staff=staff, settings={"hours_before": 6})

    appointment = book(staff=staff)

    snapshot = appointment.policy_snapshot
    assert snapshot["cancellation"]["level"] == "staff"
    assert snapshot["cancellation"]["policy_id"] == staff_policy.pk
    assert snapshot["cancellation"]["settings"]["hours_before"] == 6
    assert snapshot["reschedule"]["level"] == "default"
    assert snapshot["taken_at"] == NOW.isoformat()


def test_a_stricter_policy_after_booking_does_not_apply(company):
    policy = PolicyFactory(settings=LENIENT)
    appointment = book()

    policy.settings = {"hours_before": 48, "fee": {"kind": "fixed", "amount": 50}}
    services.policy_save(policy=policy)
    check = can_cancel(appointment, at=NOW)

    assert check.allowed and check.fee.is_zero
    assert check.judged_by is JudgedBy.SNAPSHOT
    assert (check.level, check.policy_id) == (Level.COMPANY, policy.pk)


def test_deleting_the_policy_after_booking_does_not_change_the_terms(company):
    policy = PolicyFactory(settings={"hours_before": 48})
    appointment = book()

    services.policy_delete(policy=policy)

    assert not can_cancel(appointment, at=NOW).allowed


def test_a_company_may_choose_to_always_apply_the_current_policy(company):
    policy = PolicyFactory(settings=LENIENT)
    appointment = book()
    policy.settings = {"hours_before": 48}
    services.policy_save(policy=policy)

    company.settings = {"POLICY_ALWAYS_CURRENT": True}
    check = can_cancel(appointment, at=NOW)

    assert (check.allowed, check.judged_by) == (False, JudgedBy.CURRENT)


def test_an_appointment_booked_without_a_snapshot_is_judged_by_the_current_policy(company):
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=30), policy_snapshot={})
    PolicyFactory(settings={"hours_before": 48})

    check = can_cancel(appointment, at=NOW)

    assert (check.allowed, check.judged_by) == (False, JudgedBy.CURRENT)


def test_an_unreadable_snapshot_falls_back_to_the_current_policy(company):
    appointment = PolicyAppointmentFactory(
        starts_at=NOW + timedelta(hours=30),
        policy_snapshot={"cancellation": {"settings": {"hours_before": -1}}},
    )

    assert can_cancel(appointment, at=NOW).judged_by is JudgedBy.CURRENT


later_settings = st.fixed_dictionaries(
    {
        "hours_before": st.integers(0, 200),
        "max_cancellations_per_month": st.none() | st.integers(0, 3),
        "fee": st.sampled_from(
            [{"kind": "none"}, {"kind": "fixed", "amount": "30"}, {"kind": "percentage", "percentage": 100}]
        ),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(later=later_settings)
def test_no_later_policy_change_alters_the_terms_booked_under(company, later):
    """Property: whatever the company changes its policy to after booking, the answer stays the same."""
    with rolled_back():
        policy = PolicyFactory(settings=LENIENT)
        appointment = book()
        before = can_cancel(appointment, at=NOW)

        policy.settings = later
        services.policy_save(policy=policy)
        after = can_cancel(appointment, at=NOW)

        assert (after.allowed, after.fee, after.remaining_quota) == (
            before.allowed,
            before.fee,
            before.remaining_quota,
        )
