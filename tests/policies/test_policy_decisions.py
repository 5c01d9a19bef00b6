"""The rules' verdict on one change: started → deadline → quota → allowed with the fee."""

from datetime import timedelta
from decimal import Decimal

from policies import rules
from policies.rules import DecisionCode, Money, PolicyType, decide, default_rules, parse_policy_settings

TIERS = [
    {"min_hours": 48, "amount": "0"},
    {"min_hours": 24, "max_hours": 48, "amount": "10"},
    {"min_hours": 0, "max_hours": 24, "amount": "15"},
]


def cancellation(**settings):
    return parse_policy_settings(PolicyType.CANCELLATION, settings, currency="EUR")


def judge(policy, *, notice, used=0, price=None):
    return decide(policy, notice=notice, price=price, currency="EUR", quota_used=used)


def test_without_a_policy_everything_is_allowed_free():
    decision = judge(default_rules("cancellation"), notice=timedelta(minutes=1), used=500)

    assert decision.allowed
    assert decision.fee == Money.zero("EUR")
    assert decision.remaining_quota is None
    assert decision.reason == str(rules.REASON_ALLOWED_FREE)


def test_an_appointment_that_has_started_cannot_be_changed():
    decision = judge(default_rules("reschedule"), notice=timedelta(0))

    assert not decision.allowed
    assert decision.code is DecisionCode.IN_PAST
    assert decision.reason == str(rules.REASON_IN_PAST)


def test_notice_shorter_than_required_is_refused_with_the_fee_a_manager_would_charge():
    policy = cancellation(hours_before=24, fee={"kind": "tiered", "tiers": TIERS})

    decision = judge(policy, notice=timedelta(hours=23, minutes=59, seconds=59))

    assert not decision.allowed
    assert decision.code is DecisionCode.DEADLINE_MISSED
    assert decision.fee.is_zero
    assert decision.fee_if_forced == Money(Decimal(15), "EUR")
    assert "23.9" in decision.reason


def test_exactly_the_required_notice_is_enough():
    decision = judge(cancellation(hours_before=24), notice=timedelta(hours=24))

    assert decision.allowed


def test_fractional_hours_of_notice_are_respected():
    policy = cancellation(hours_before="1.5")

    assert not judge(policy, notice=timedelta(minutes=89)).allowed
    assert judge(policy, notice=timedelta(minutes=90)).allowed


def test_a_used_up_quota_refuses_the_change():
    decision = judge(cancellation(max_cancellations_per_month=2), notice=timedelta(days=3), used=2)

    assert not decision.allowed
    assert decision.code is DecisionCode.QUOTA_EXCEEDED
    assert decision.remaining_quota == 0
    assert decision.reason == rules.REASON_CANCEL_QUOTA_USED % {"used": 2, "limit": 2}


def test_a_reschedule_quota_counts_moves_of_the_appointment():
    policy = parse_policy_settings("reschedule", {"max_reschedules_per_appointment": 1}, currency="EUR")

    decision = judge(policy, notice=timedelta(days=3), used=1)

    assert decision.reason == rules.REASON_RESCHEDULE_QUOTA_USED % {"used": 1, "limit": 1}


def test_a_quota_of_zero_forbids_every_change():
    assert not judge(cancellation(max_cancellations_per_month=0), notice=timedelta(days=3)).allowed


def test_remaining_quota_counts_the_change_being_judged():
    decision = judge(cancellation(max_cancellations_per_month=3), notice=timedelta(days=3), used=1)

    assert decision.allowed
    assert decision.remaining_quota == 2


def test_an_allowed_change_carries_its_fee_and_says_so():
    policy = cancellation(fee={"kind": "tiered", "tiers": TIERS})

    decision = judge(policy, notice=timedelta(hours=30))

    assert decision.fee == Money(Decimal(10), "EUR")
    assert decision.reason == rules.REASON_ALLOWED_WITH_FEE % {"fee": "10.00 EUR"}


def test_the_deadline_is_checked_before_the_quota():
    policy = cancellation(hours_before=24, max_cancellations_per_month=1)

    assert judge(policy, notice=timedelta(hours=2), used=5).code is DecisionCode.DEADLINE_MISSED


def test_a_policy_describes_itself_in_plain_words():
    fee = {"kind": "tiered", "tiers": TIERS}
    policy = cancellation(hours_before=24, max_cancellations_per_month=3, fee=fee)

    assert policy.describe() == (
        "24 h notice, at most 3 cancellations in 30 days, "
        "fee: ≥48 h: 0.00 EUR · 24–48 h: 10.00 EUR · <24 h: 15.00 EUR"
    )
