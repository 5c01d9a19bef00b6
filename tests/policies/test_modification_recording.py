"""Every cancellation or reschedule is written down; managers may override a refusal or waive a fee."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.events import subscribe, unsubscribe
from policies import services
from policies.models import ActorType, AppointmentModification, JudgedBy, ModificationType
from policies.rules import DecisionCode, Level
from policies.services import (
    Actor,
    can_cancel,
    can_reschedule,
    modification_waive_fee,
    record_modification,
)
from tests.factories.policies import STANDARD_TIERS, PolicyAppointmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)


@pytest.fixture
def late_appointment(company):
    """Five hours ahead, under a company policy asking for 24 hours' notice with tiered fees."""
    PolicyFactory(settings={"hours_before": 24, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    return PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=5))


@pytest.fixture
def events():
    seen = []
    subscribe("policy.*", seen.append)
    yield seen
    unsubscribe("policy.*", seen.append)


def test_an_allowed_cancellation_is_recorded_with_its_fee_and_who_did_it(company, anna, events):
    PolicyFactory(settings={"fee": {"kind": "tiered", "tiers": STANDARD_TIERS}})
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(hours=30))
    check = can_cancel(appointment, at=NOW, by=anna)

    modification = record_modification(appointment=appointment, check=check, by=anna, reason="Krank")

    modification.refresh_from_db()
    assert modification.modification_type == ModificationType.CANCEL
    assert modification.within_policy
    assert (modification.fee_amount, modification.fee_currency, modification.fee_charged) == (10, "EUR", 10)
    assert (modification.actor_type, modification.actor_staff) == (ActorType.STAFF, anna)
    assert (modification.reason, modification.created_at) == ("Krank", NOW)
    assert (modification.hours_notice, modification.policy_level) == (Decimal("30.00"), Level.COMPANY)
    assert modification.customer == appointment.customer
    assert [e.name for e in events if e.name.startswith("policy.mod")] == ["policy.modification_recorded"]


def test_a_reschedule_records_the_old_and_new_start(company):
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=2))
    check = can_reschedule(appointment, new_start=NOW + timedelta(days=4), at=NOW, by="phone_agent")

    modification = record_modification(appointment=appointment, check=check, by="phone_agent")

    assert modification.modification_type == ModificationType.RESCHEDULE
    assert (modification.previous_starts_at, modification.new_starts_at) == (
        NOW + timedelta(days=2),
        NOW + timedelta(days=4),
    )
    assert (modification.actor_type, modification.actor_staff) == (ActorType.PHONE_AGENT, None)


def test_a_refused_cancellation_that_happened_anyway_is_recorded_outside_policy(late_appointment):
    check = can_cancel(late_appointment, at=NOW)  # e.g. the customer cancelled on Cal.com

    modification = record_modification(appointment=late_appointment, check=check, by=None)

    assert not modification.within_policy
    assert not modification.overridden
    assert modification.fee_amount == Decimal(15)
    assert modification.actor_type == ActorType.SYSTEM
    assert modification.decision_code == DecisionCode.DEADLINE_MISSED


def test_a_manager_overrides_a_refusal_with_a_reason(late_appointment, max_manager, events):
    check = can_cancel(late_appointment, at=NOW, by=max_manager)

    modification = record_modification(
        appointment=late_appointment, check=check, by=max_manager, override_reason="Notfall in der Familie"
    )

    assert (modification.overridden, modification.within_policy) == (True, False)
    assert modification.override_reason == "Notfall in der Familie"
    assert modification.actor_staff == max_manager
    assert "policy.overridden" in [e.name for e in events]


def test_staff_cannot_override_a_refusal(late_appointment, anna):
    check = can_cancel(late_appointment, at=NOW, by=anna)

    with pytest.raises(ValidationError) as caught:
        record_modification(appointment=late_appointment, check=check, by=anna, override_reason="bitte")

    assert caught.value.messages == [str(services.MANAGER_REQUIRED)]
    assert not AppointmentModification.objects.exists()


def test_the_phone_agent_cannot_override_a_refusal(late_appointment):
    check = can_cancel(late_appointment, at=NOW)

    with pytest.raises(ValidationError):
        record_modification(appointment=late_appointment, check=check, by="phone_agent", override_reason="x")


def test_an_appointment_in_the_past_cannot_be_overridden(company, max_manager):
    started = PolicyAppointmentFactory(starts_at=NOW - timedelta(hours=1))
    check = can_cancel(started, at=NOW, by=max_manager)

    with pytest.raises(ValidationError) as caught:
        record_modification(appointment=started, check=check, by=max_manager, override_reason="zu spät")

    assert caught.value.messages == [services.CANNOT_OVERRIDE % {"reason": check.reason}]


def test_an_allowed_change_has_nothing_to_override(company, max_manager):
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3))
    check = can_cancel(appointment, at=NOW, by=max_manager)

    with pytest.raises(ValidationError) as caught:
        record_modification(appointment=appointment, check=check, by=max_manager, override_reason="x")

    assert caught.value.messages == [str(services.NOTHING_TO_OVERRIDE)]


def test_a_manager_waives_the_fee_when_recording(late_appointment, max_manager):
    check = can_cancel(late_appointment, at=NOW, by=max_manager)

    modification = record_modification(
        appointment=late_appointment,
        check=check,
        by=max_manager,
        override_reason="Stammkundin",
        waive_fee=True,
        waive_reason="Kulanz",
    )

    assert (modification.waived, modification.waived_by, modification.waive_reason) == (
        True,
        max_manager,
        "Kulanz",
    )
    assert (modification.fee_amount, modification.fee_charged) == (Decimal(15), Decimal(0))


def test_waiving_needs_a_reason(late_appointment, max_manager):
    check = can_cancel(late_appointment, at=NOW, by=max_manager)

    with pytest.raises(ValidationError) as caught:
        record_modification(appointment=late_appointment, check=check, by=max_manager, waive_fee=True)

    assert caught.value.message_dict == {"waive_reason": [str(services.WAIVE_REASON_REQUIRED)]}


def test_a_manager_waives_the_fee_of_a_recorded_change_afterwards(late_appointment, max_manager, events):
    modification = record_modification(
        appointment=late_appointment, check=can_cancel(late_appointment, at=NOW), by=None
    )

    modification_waive_fee(modification=modification, by=max_manager, reason="Kulanz")

    modification.refresh_from_db()
    assert (modification.waived, modification.waived_by, modification.fee_charged) == (True, max_manager, 0)
    assert "policy.fee_waived" in [e.name for e in events]


def test_staff_cannot_waive_a_fee(late_appointment, anna):
    modification = record_modification(
        appointment=late_appointment, check=can_cancel(late_appointment, at=NOW), by=None
    )

    with pytest.raises(ValidationError) as caught:
        modification_waive_fee(modification=modification, by=anna, reason="Kulanz")

    assert caught.value.messages == [str(services.MANAGER_REQUIRED)]
    modification.refresh_from_db()
    assert not modification.waived


def test_a_fee_cannot_be_waived_twice_or_when_there_is_none(company, max_manager):
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3))
    free = record_modification(appointment=appointment, check=can_cancel(appointment, at=NOW), by=None)

    with pytest.raises(ValidationError) as caught:
        modification_waive_fee(modification=free, by=max_manager, reason="x")

    assert caught.value.messages == [str(services.NO_FEE_TO_WAIVE)]


def test_recorded_cancellations_use_up_the_quota(company):
    PolicyFactory(settings={"max_cancellations_per_month": 2})
    first = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3))
    customer = first.customer
    second = PolicyAppointmentFactory(customer=customer, starts_at=NOW + timedelta(days=4))
    third = PolicyAppointmentFactory(customer=customer, starts_at=NOW + timedelta(days=5))

    for appointment in (first, second):
        record_modification(appointment=appointment, check=can_cancel(appointment, at=NOW), by="customer")

    assert can_cancel(third, at=NOW).code is DecisionCode.QUOTA_EXCEEDED
    assert can_cancel(third, at=NOW + timedelta(days=31)).allowed is False  # third is in the past by then
    later = PolicyAppointmentFactory(customer=customer, starts_at=NOW + timedelta(days=40))
    assert can_cancel(later, at=NOW + timedelta(days=31)).allowed


def test_a_check_for_another_appointment_is_refused(company):
    one, other = PolicyAppointmentFactory(), PolicyAppointmentFactory()

    with pytest.raises(ValidationError) as caught:
        record_modification(appointment=other, check=can_cancel(one), by=None)

    assert caught.value.messages == [str(services.CHECK_FOR_ANOTHER_APPOINTMENT)]


def test_a_staff_actor_must_be_a_real_staff_member(company):
    with pytest.raises(ValidationError) as caught:
        Actor.of("staff")

    assert caught.value.messages == [str(services.STAFF_ACTOR_NEEDS_STAFF)]


def test_the_record_keeps_which_terms_judged_the_change(company):
    PolicyFactory(settings={"hours_before": 1})
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=1))
    appointment.policy_snapshot = services.policy_snapshot_for(
        branch=appointment.branch, service=appointment.service
    )

    modification = record_modification(
        appointment=appointment, check=can_cancel(appointment, at=NOW), by=None
    )

    assert modification.judged_by == JudgedBy.SNAPSHOT
    assert modification.metadata["policy"]["settings"]["hours_before"] == 1


def test_two_cancellations_checked_at_once_cannot_both_take_the_last_slot(company):
    PolicyFactory(settings={"max_cancellations_per_month": 1})
    first = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3))
    second = PolicyAppointmentFactory(customer=first.customer, starts_at=NOW + timedelta(days=4))
    first_check, second_check = can_cancel(first, at=NOW), can_cancel(second, at=NOW)
    assert first_check.allowed and second_check.allowed

    record_modification(appointment=first, check=first_check, by="customer")
    late = record_modification(appointment=second, check=second_check, by="customer")

    assert not late.within_policy
    assert late.decision_code == DecisionCode.QUOTA_EXCEEDED


def test_two_moves_checked_at_once_cannot_both_take_the_last_slot(company):
    PolicyFactory(policy_type="reschedule", settings={"max_reschedules_per_appointment": 1})
    appointment = PolicyAppointmentFactory(starts_at=NOW + timedelta(days=3))
    checks = [can_reschedule(appointment, new_start=NOW + timedelta(days=d), at=NOW) for d in (5, 6)]

    recorded = [record_modification(appointment=appointment, check=c, by="phone_agent") for c in checks]

    assert [m.within_policy for m in recorded] == [True, False]


def test_a_deactivated_manager_cannot_waive_a_fee(late_appointment, max_manager):
    modification = record_modification(
        appointment=late_appointment, check=can_cancel(late_appointment, at=NOW), by=None
    )
    max_manager.is_active = False
    max_manager.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as caught:
        modification_waive_fee(modification=modification, by=max_manager, reason="Kulanz")

    assert caught.value.messages == [str(services.MANAGER_REQUIRED)]
    modification.refresh_from_db()
    assert not modification.waived
