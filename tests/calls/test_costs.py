"""Retell's call cost (USD cents, as sent) and its value in the company's currency."""

from decimal import Decimal

import pytest

from calls.costs import converted_cents, exchange_rate, retell_cost


def test_the_combined_cost_and_the_telephony_share_are_read_as_sent():
    cost = retell_cost(
        {
            "combined_cost": 11.87,
            "product_costs": [
                {"product": "retell_platform", "cost": 9.83},
                {"product": "twilio_telephony", "cost": 0.85},
                {"product": "Telnyx", "cost": "0.10"},
            ],
        }
    )
    assert (cost.total_cents, cost.telephony_cents) == (Decimal("11.87"), Decimal("0.95"))


@pytest.mark.parametrize(
    "call_cost",
    [
        None,
        "12",
        {},
        {"combined_cost": None},
        {"combined_cost": "abc"},
        {"combined_cost": -1},
        {"combined_cost": True},
        {"combined_cost": float("nan")},
    ],
)
def test_an_unusable_cost_is_no_cost(call_cost):
    assert retell_cost(call_cost) is None


def test_no_telephony_products_means_unknown_telephony_cost():
    assert (
        retell_cost({"combined_cost": 3, "product_costs": [{"product": "gpt_4o", "cost": 3}]}).telephony_cents
        is None
    )


def test_conversion_uses_the_configured_rate_and_usd_needs_none():
    rates = {"EUR": "0.92", "CHF": "0.88"}
    assert exchange_rate(rates, "EUR") == Decimal("0.92")
    assert exchange_rate(rates, "USD") == Decimal(1)
    assert exchange_rate(rates, "GBP") is None
    assert exchange_rate("garbage", "EUR") is None
    assert converted_cents(Decimal("11.87"), Decimal("0.92")) == Decimal("10.9204")


def test_a_company_without_a_rate_for_its_currency_keeps_the_usd_cost_only(company):
    from calls.services import call_record_retell_event
    from tests.factories.calls import ended

    company.currency = "GBP"
    call = call_record_retell_event(event="call_ended", data=ended("call_gbp", to_number="+4930901820"))
    assert (call.cost_cents, call.converted_cost_cents, call.cost_currency) == (Decimal("11.87"), None, "GBP")
    company.currency = "EUR"
