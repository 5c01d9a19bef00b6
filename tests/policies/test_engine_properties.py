"""Properties of the whole engine (database, cache, quota counting), over generated appointments."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.rules import DecisionCode
from policies.services import can_cancel, can_reschedule
from tests.factories.policies import ModificationFactory, PolicyAppointmentFactory, PolicyFactory
from tests.policies.helpers import rolled_back

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
DB_EXAMPLES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

notices = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=60))
prices = st.none() | st.decimals(min_value=0, max_value=500, places=2)
past_changes = st.lists(st.sampled_from(["cancel", "reschedule"]), max_size=6)


def appointment_with_history(notice, price, changes):
    appointment = PolicyAppointmentFactory(starts_at=NOW + notice, price=price)
    for days_ago, kind in enumerate(changes, start=1):
        ModificationFactory(
            appointment=appointment, modification_type=kind, created_at=NOW - timedelta(days=days_ago)
        )
    return appointment


@DB_EXAMPLES
@given(notice=notices, price=prices, changes=past_changes)
def test_no_policy_anywhere_means_allowed_with_no_fee(company, notice, price, changes):
    with rolled_back():
        appointment = appointment_with_history(notice, price, changes)

        for check in (can_cancel(appointment, at=NOW), can_reschedule(appointment, NOW + notice * 2, at=NOW)):
            assert check.allowed
            assert check.fee.amount == Decimal(0)
            assert check.remaining_quota is None


@DB_EXAMPLES
@given(notice=notices, changes=past_changes, hours=st.integers(0, 24))
def test_an_empty_quota_never_refuses_for_quota(company, notice, changes, hours):
    with rolled_back():
        PolicyFactory(settings={"hours_before": hours, "max_cancellations_per_month": None})
        PolicyFactory(policy_type="reschedule", settings={"max_reschedules_per_appointment": None})
        appointment = appointment_with_history(notice, Decimal("50"), changes)

        for check in (can_cancel(appointment, at=NOW), can_reschedule(appointment, NOW + notice * 2, at=NOW)):
            assert check.code is not DecisionCode.QUOTA_EXCEEDED


@DB_EXAMPLES
@given(changes=past_changes, limit=st.integers(0, 4))
def test_the_cancellation_quota_is_exactly_the_changes_counted(company, changes, limit):
    with rolled_back():
        PolicyFactory(settings={"max_cancellations_per_month": limit})
        appointment = appointment_with_history(timedelta(days=3), None, changes)

        check = can_cancel(appointment, at=NOW)

        used = changes.count("cancel")
        assert check.allowed == (used < limit)
        assert check.remaining_quota == max(0, limit - used)
