"""Fees: fixed, by notice tier, or a share of the price (optionally capped); Decimal money with a currency."""

from datetime import timedelta
from decimal import Decimal

import pytest

from policies.rules import Money, parse_policy_settings

STANDARD_TIERS = [
    {"min_hours": 48, "max_hours": None, "amount": "0"},
    {"min_hours": 24, "max_hours": 48, "amount": "10"},
    {"min_hours": 0, "max_hours": 24, "amount": "15"},
]


def fee(fee_settings, *, notice, price=None, currency="EUR") -> Money:
    parsed = parse_policy_settings("cancellation", {"fee": fee_settings}, currency="EUR")
    return parsed.fee.fee_for(notice=notice, price=price, currency=currency)


def test_no_fee_is_zero_in_the_appointments_currency():
    assert fee({"kind": "none"}, notice=timedelta(hours=1), currency="CHF") == Money(Decimal(0), "CHF")


def test_a_fixed_fee_is_the_same_whatever_the_notice():
    settings = {"kind": "fixed", "amount": "12.50", "currency": "EUR"}

    assert fee(settings, notice=timedelta(minutes=5)) == Money(Decimal("12.50"), "EUR")
    assert fee(settings, notice=timedelta(days=30)) == Money(Decimal("12.50"), "EUR")


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        (timedelta(days=10), "0.00"),
        (timedelta(hours=48), "0.00"),
        (timedelta(hours=47, minutes=59, seconds=59), "10.00"),
        (timedelta(hours=24), "10.00"),
        (timedelta(hours=23, minutes=59), "15.00"),
        (timedelta(minutes=1), "15.00"),
    ],
)
def test_tiers_use_the_real_notice_in_hours(notice, expected):
    assert fee({"kind": "tiered", "tiers": STANDARD_TIERS}, notice=notice).amount == Decimal(expected)


def test_tiers_treat_a_started_appointment_as_no_notice():
    assert fee({"kind": "tiered", "tiers": STANDARD_TIERS}, notice=-timedelta(hours=3)).amount == Decimal(15)


def test_tiers_may_be_given_in_any_order():
    shuffled = [STANDARD_TIERS[2], STANDARD_TIERS[0], STANDARD_TIERS[1]]

    assert fee({"kind": "tiered", "tiers": shuffled}, notice=timedelta(hours=30)).amount == Decimal(10)


def test_a_percentage_fee_is_a_share_of_the_price_rounded_half_up():
    settings = {"kind": "percentage", "percentage": "12.5"}

    charged = fee(settings, notice=timedelta(hours=1), price=Money(Decimal("33.00"), "CHF"))

    assert charged == Money(Decimal("4.13"), "CHF")


def test_a_percentage_fee_stops_at_its_maximum():
    settings = {"kind": "percentage", "percentage": 50, "max_amount": "20"}

    assert fee(settings, notice=timedelta(hours=1), price=Money(Decimal("100"), "EUR")).amount == Decimal(20)
    assert fee(settings, notice=timedelta(hours=1), price=Money(Decimal("30"), "EUR")).amount == Decimal(15)


def test_a_percentage_fee_without_a_price_is_zero():
    settings = {"kind": "percentage", "percentage": 50}

    assert fee(settings, notice=timedelta(hours=1), price=None).amount == Decimal(0)


def test_money_keeps_cents_exactly():
    assert Money(Decimal("0.1") + Decimal("0.2"), "EUR").amount == Decimal("0.30")
    assert str(Money(Decimal(15), "EUR")) == "15.00 EUR"
