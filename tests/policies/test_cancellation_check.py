"""can_cancel: notice in real hours, the customer's rolling 30-day quota, the fee, the deciding policy."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from appointments.models import Appointment
from policies import rules
from policies.models import ActorType, JudgedBy
from policies.rules import DecisionCode, Level, Money
from policies.services import Actor, can_cancel
from tests.factories.org import CustomerFactory
from tests.factories.policies import (
    STANDARD_TIERS,
    ModificationFactory,
    PolicyAppointmentFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=BERLIN)


@pytest.fixture
def appointment(company):
    return PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3), price=Decimal("80.00"))


def test_without_a_policy_cancelling_is_allowed_free(appointment):
    check = can_cancel(appointment, at=NOW)

    assert check.allowed
    assert check.fee == Money.zero("EUR")
    assert (check.level, check.policy_id, check.remaining_quota) == (Level.DEFAULT, None, None)
    assert check.reason == str(rules.REASON_ALLOWED_FREE)


def test_notice_is_counted_in_real_hours_not_calendar_days(company):
    PolicyFactory(settings={"hours_before": 24})
    tomorrow_morning = PolicyAppointmentFactory(starts_at=datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN))

    check = can_cancel(tomorrow_morning, at=NOW)

    assert not check.allowed
    assert check.code is DecisionCode.DEADLINE_MISSED
    assert check.reason == rules.REASON_NOTICE_TOO_SHORT % {"required": 24, "notice": "23.0"}


def test_notice_across_a_daylight_saving_change_is_real_time(company):
    """Berlin springs forward on 29 March 2026: 11:00 Saturday to 11:00 Sunday is only 23 hours."""
    PolicyFactory(settings={"hours_before": 24})
    sunday = PolicyAppointmentFactory(starts_at=datetime(2026, 3, 29, 11, 0, tzinfo=BERLIN))

    check = can_cancel(sunday, at=datetime(2026, 3, 28, 11, 0, tzinfo=BERLIN))

    assert check.code is DecisionCode.DEADLINE_MISSED


def test_an_appointment_in_the_past_cannot_be_cancelled(company):
    started = PolicyAppointmentFactory(starts_at=NOW - timedelta(minutes=5))

    check = can_cancel(started, at=NOW)

    assert (check.allowed, check.code) == (False, DecisionCode.IN_PAST)


def test_a_cancelled_appointment_cannot_be_cancelled_again(company):
    cancelled = PolicyAppointmentFactory(
        starts_at=NOW + timedelta(days=3), status=Appointment.Status.CANCELLED
    )

    check = can_cancel(cancelled, at=NOW)

    assert (check.allowed, check.code) == (False, DecisionCode.NOT_CHANGEABLE)
    assert check.reason == rules.REASON_NOT_CHANGEABLE % {"status": "Cancelled"}


def test_the_tiered_fee_follows_the_notice(company):
    PolicyFactory(settings={"fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    fees = {}
    for hours in (72, 30, 5):
        appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=hours))
        fees[hours] = can_cancel(appointment, at=NOW).fee.amount

    assert fees == {72: Decimal(0), 30: Decimal(10), 5: Decimal(15)}


def test_a_percentage_fee_is_taken_from_the_appointments_price(appointment):
    PolicyFactory(settings={"fee": {"kind": "percentage", "percentage": 25, "max_amount": "15"}})

    check = can_cancel(appointment, at=NOW)

    assert check.fee == Money(Decimal("15.00"), "EUR")
    assert check.reason == rules.REASON_ALLOWED_WITH_FEE % {"fee": "15.00 EUR"}


def test_the_quota_counts_the_customers_cancellations_of_the_last_30_days(appointment):
    PolicyFactory(settings={"max_cancellations_per_month": 2})
    ModificationFactory(
        appointment=appointment, modification_type="cancel", created_at=NOW - timedelta(days=31)
    )  # outside the window
    ModificationFactory(
        appointment=appointment, modification_type="cancel", created_at=NOW - timedelta(days=29)
    )
    ModificationFactory(
        appointment=PolicyAppointmentFactory(), modification_type="cancel", created_at=NOW - timedelta(days=1)
    )  # someone else
    ModificationFactory(
        appointment=appointment, modification_type="reschedule", created_at=NOW - timedelta(days=1)
    )  # not a cancellation

    check = can_cancel(appointment, at=NOW)

    assert check.allowed
    assert (check.quota_used, check.remaining_quota) == (1, 1)


def test_a_used_up_quota_refuses_the_cancellation(appointment):
    PolicyFactory(settings={"max_cancellations_per_month": 2})
    other_booking = PolicyAppointmentFactory(customer=appointment.customer)
    ModificationFactory(
        appointment=other_booking, modification_type="cancel", created_at=NOW - timedelta(days=10)
    )
    ModificationFactory(
        appointment=other_booking, modification_type="cancel", created_at=NOW - timedelta(days=2)
    )

    check = can_cancel(appointment, at=NOW)

    assert (check.allowed, check.code, check.remaining_quota) == (False, DecisionCode.QUOTA_EXCEEDED, 0)


def test_an_empty_quota_means_unlimited_cancellations(appointment):
    PolicyFactory(settings={"max_cancellations_per_month": None})
    for days in range(1, 6):
        ModificationFactory(
            appointment=appointment, modification_type="cancel", created_at=NOW - timedelta(days=days)
        )

    check = can_cancel(appointment, at=NOW)

    assert check.allowed
    assert check.remaining_quota is None


def test_the_result_names_the_policy_that_decided(appointment):
    branch_policy = PolicyFactory(branch=appointment.branch, settings={"hours_before": 2})

    check = can_cancel(appointment, at=NOW)

    assert (check.level, check.policy_id, check.judged_by) == (
        Level.BRANCH,
        branch_policy.pk,
        JudgedBy.CURRENT,
    )


def test_a_manager_is_told_a_refusal_can_be_overridden_but_staff_are_not(company, anna, max_manager):
    PolicyFactory(settings={"hours_before": 48})
    late = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=3))

    assert not can_cancel(late, at=NOW, by=anna).can_override
    assert can_cancel(late, at=NOW, by=max_manager).can_override
    assert not can_cancel(late, at=NOW, by=Actor(ActorType.PHONE_AGENT)).can_override


def test_the_phone_agent_gets_the_answer_as_json(company):
    PolicyFactory(settings={"hours_before": 24, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    late = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=3), customer=CustomerFactory())

    answer = can_cancel(late, at=NOW, by="phone_agent").to_json()

    assert answer["allowed"] is False
    assert answer["code"] == "deadline_missed"
    assert answer["fee_if_forced"] == {"amount": "15.00", "currency": "EUR"}
    assert answer["policy"]["level"] == "company"
    assert answer["hours_notice"] == "3.00"


def test_the_reason_can_be_read_later_in_another_language(company):
    PolicyFactory(settings={"hours_before": 48})
    late = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=3))

    check = can_cancel(late, at=NOW)

    with translation.override("de"):
        assert check.reason == str(rules.REASON_NOTICE_TOO_SHORT) % {"required": 48, "notice": "3.0"}
    assert (
        check.why.text_in("en")
        == "Changes need at least 48 hours' notice; only 3.0 hours are left before the appointment."
    )
