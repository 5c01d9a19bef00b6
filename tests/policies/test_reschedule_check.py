"""can_reschedule: notice before the current start, a limit per appointment, and a new time in the future."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from policies import rules
from policies.rules import DecisionCode, Level, Money
from policies.services import can_reschedule
from tests.factories.policies import ModificationFactory, PolicyAppointmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def appointment(company):
    return PolicyAppointmentFactory(starts_at=NOW + timedelta(days=2))


def test_without_a_policy_moving_is_allowed_free(appointment):
    check = can_reschedule(appointment, new_start=NOW + timedelta(days=5), at=NOW)

    assert (check.allowed, check.level, check.fee) == (True, Level.DEFAULT, Money.zero("EUR"))
    assert check.new_starts_at == NOW + timedelta(days=5)


def test_the_reschedule_policy_is_separate_from_the_cancellation_policy(appointment):
    PolicyFactory(policy_type="cancellation", settings={"hours_before": 72})
    PolicyFactory(policy_type="reschedule", settings={"hours_before": 12})

    assert can_reschedule(appointment, new_start=NOW + timedelta(days=5), at=NOW).allowed


def test_the_notice_that_counts_is_before_the_current_start(appointment):
    PolicyFactory(policy_type="reschedule", settings={"hours_before": 72})

    check = can_reschedule(appointment, new_start=NOW + timedelta(days=30), at=NOW)

    assert check.code is DecisionCode.DEADLINE_MISSED


def test_a_new_time_in_the_past_is_refused(appointment):
    check = can_reschedule(appointment, new_start=NOW - timedelta(hours=1), at=NOW)

    assert (check.allowed, check.code) == (False, DecisionCode.NEW_START_IN_PAST)
    assert check.reason == str(rules.REASON_NEW_START_IN_PAST)


def test_an_appointment_that_has_started_cannot_be_moved(company):
    started = PolicyAppointmentFactory(starts_at=NOW - timedelta(minutes=1))

    check = can_reschedule(started, new_start=NOW + timedelta(days=1), at=NOW)

    assert check.code is DecisionCode.IN_PAST


def test_the_limit_counts_moves_of_this_appointment_only(appointment):
    PolicyFactory(policy_type="reschedule", settings={"max_reschedules_per_appointment": 2})
    ModificationFactory(
        appointment=appointment, modification_type="reschedule", created_at=NOW - timedelta(days=90)
    )
    other = PolicyAppointmentFactory(customer=appointment.customer)
    ModificationFactory(appointment=other, modification_type="reschedule", created_at=NOW - timedelta(days=1))
    ModificationFactory(appointment=other, modification_type="reschedule", created_at=NOW - timedelta(days=1))

    check = can_reschedule(appointment, new_start=NOW + timedelta(days=5), at=NOW)

    assert check.allowed
    assert (check.quota_used, check.remaining_quota) == (1, 1)


def test_a_used_up_limit_refuses_another_move(appointment):
    PolicyFactory(policy_type="reschedule", settings={"max_reschedules_per_appointment": 1})
    ModificationFactory(
        appointment=appointment, modification_type="reschedule", created_at=NOW - timedelta(days=1)
    )

    check = can_reschedule(appointment, new_start=NOW + timedelta(days=5), at=NOW)

    assert (check.allowed, check.code) == (False, DecisionCode.QUOTA_EXCEEDED)
    assert check.reason == rules.REASON_RESCHEDULE_QUOTA_USED % {"used": 1, "limit": 1}


def test_a_reschedule_fee_applies_like_a_cancellation_fee(appointment):
    PolicyFactory(policy_type="reschedule", settings={"fee": {"kind": "fixed", "amount": "7.50"}})

    check = can_reschedule(appointment, new_start=NOW + timedelta(days=5), at=NOW)

    assert check.fee == Money(Decimal("7.50"), "EUR")
