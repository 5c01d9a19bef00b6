"""Settings on a policy are checked field by field; every bad field is named in its own message."""

from decimal import Decimal

import pytest

from policies import rules
from policies.rules import FeeKind, PolicySettingsError, PolicyType, parse_policy_settings

STANDARD_TIERS = [
    {"min_hours": 48, "max_hours": None, "amount": "0"},
    {"min_hours": 24, "max_hours": 48, "amount": "10"},
    {"min_hours": 0, "max_hours": 24, "amount": "15"},
]


def errors_for(settings, policy_type=PolicyType.CANCELLATION) -> dict[str, list[str]]:
    with pytest.raises(PolicySettingsError) as caught:
        parse_policy_settings(policy_type, settings, currency="EUR")
    return caught.value.errors


def test_empty_settings_mean_any_notice_no_limit_no_fee():
    parsed = parse_policy_settings(PolicyType.CANCELLATION, {}, currency="EUR")

    assert parsed.hours_before == 0
    assert parsed.max_cancellations_per_month is None
    assert parsed.fee.kind is FeeKind.NONE


def test_full_cancellation_settings_are_normalised():
    fee = {"kind": "tiered", "tiers": STANDARD_TIERS}
    settings = {"hours_before": 24, "max_cancellations_per_month": 3, "fee": fee}

    parsed = parse_policy_settings("cancellation", settings, currency="EUR")

    assert parsed.hours_before == Decimal(24)
    assert parsed.max_cancellations_per_month == 3
    assert parsed.fee.currency == "EUR"
    assert [t.amount for t in parsed.fee.tiers] == [Decimal(0), Decimal(10), Decimal(15)]


def test_normalised_settings_survive_a_round_trip_through_json():
    parsed = parse_policy_settings(
        "reschedule",
        {"hours_before": 1.5, "max_reschedules_per_appointment": 2, "fee": {"kind": "fixed", "amount": 5}},
        currency="CHF",
    )

    again = parse_policy_settings("reschedule", parsed.to_json(), currency="EUR")

    assert again == parsed
    assert again.fee.currency == "CHF"


def test_an_empty_quota_means_unlimited():
    parsed = parse_policy_settings("reschedule", {"max_reschedules_per_appointment": None}, currency="EUR")

    assert parsed.quota_limit is None


def test_settings_that_are_not_an_object_are_refused():
    assert errors_for(["hours_before", 24]) == {"settings": [str(rules.NOT_AN_OBJECT)]}


@pytest.mark.parametrize("value", ["soon", True, None, [24], "NaN"])
def test_hours_before_of_the_wrong_type_is_refused(value):
    assert errors_for({"hours_before": value}) == {"hours_before": [str(rules.NOT_A_NUMBER)]}


def test_negative_hours_are_refused():
    assert errors_for({"hours_before": -1}) == {"hours_before": [str(rules.NEGATIVE)]}


@pytest.mark.parametrize("value", ["3", 2.5, True, {"n": 3}])
def test_a_quota_that_is_not_a_whole_number_is_refused(value):
    assert errors_for({"max_cancellations_per_month": value}) == {
        "max_cancellations_per_month": [str(rules.NOT_A_WHOLE_NUMBER)]
    }


def test_a_negative_quota_is_refused():
    errors = errors_for({"max_reschedules_per_appointment": -2}, PolicyType.RESCHEDULE)

    assert errors == {"max_reschedules_per_appointment": [str(rules.NEGATIVE)]}


def test_a_quota_of_the_other_policy_type_is_refused():
    errors = errors_for({"max_reschedules_per_appointment": 2}, PolicyType.CANCELLATION)

    assert errors == {
        "max_reschedules_per_appointment": [str(rules.NOT_FOR_THIS_TYPE % {"policy_type": "cancellation"})]
    }


def test_unknown_settings_are_refused():
    assert errors_for({"hours": 24}) == {"hours": [str(rules.UNKNOWN_KEY)]}


def test_an_unknown_policy_type_is_refused():
    assert list(errors_for({}, "recurring")) == ["policy_type"]


def test_an_unknown_fee_kind_is_refused():
    assert errors_for({"fee": {"kind": "sometimes"}}) == {"fee.kind": [str(rules.UNKNOWN_FEE_KIND)]}


def test_a_fee_that_is_not_an_object_is_refused():
    assert errors_for({"fee": "15"}) == {"fee": [str(rules.NOT_AN_OBJECT)]}


def test_a_fixed_fee_needs_an_amount():
    assert errors_for({"fee": {"kind": "fixed"}}) == {"fee.amount": [str(rules.REQUIRED)]}


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", rules.NEGATIVE),
        ("ten", rules.NOT_AN_AMOUNT),
        (True, rules.NOT_AN_AMOUNT),
        ("1.005", rules.TOO_MANY_DECIMALS),
    ],
)
def test_a_bad_fixed_fee_is_refused(amount, message):
    assert errors_for({"fee": {"kind": "fixed", "amount": amount}}) == {"fee.amount": [str(message)]}


@pytest.mark.parametrize("currency", ["euro", "eur", "", 978])
def test_a_bad_currency_is_refused(currency):
    errors = errors_for({"fee": {"kind": "fixed", "amount": 5, "currency": currency}})

    assert errors == {"fee.currency": [str(rules.NOT_A_CURRENCY)]}


def test_a_percentage_above_100_is_refused():
    errors = errors_for({"fee": {"kind": "percentage", "percentage": "100.5"}})

    assert errors == {"fee.percentage": [str(rules.PERCENT_ABOVE_100)]}


def test_a_percentage_of_exactly_100_is_accepted():
    settings = {"fee": {"kind": "percentage", "percentage": 100}}

    parsed = parse_policy_settings("cancellation", settings, currency="EUR")

    assert parsed.fee.percentage == 100


def test_a_negative_percentage_and_maximum_are_refused():
    errors = errors_for({"fee": {"kind": "percentage", "percentage": -10, "max_amount": "-1"}})

    assert errors == {"fee.percentage": [str(rules.NEGATIVE)], "fee.max_amount": [str(rules.NEGATIVE)]}


def test_keys_of_another_fee_kind_are_refused():
    errors = errors_for({"fee": {"kind": "fixed", "amount": 5, "percentage": 10}})

    assert errors == {"fee.percentage": [str(rules.UNKNOWN_KEY)]}


def test_tiered_fees_need_a_list_of_tiers():
    assert errors_for({"fee": {"kind": "tiered"}}) == {"fee.tiers": [str(rules.REQUIRED)]}
    assert errors_for({"fee": {"kind": "tiered", "tiers": {"0": 5}}}) == {
        "fee.tiers": [str(rules.NOT_A_LIST)]
    }
    assert errors_for({"fee": {"kind": "tiered", "tiers": []}}) == {"fee.tiers": [str(rules.EMPTY_TIERS)]}


def test_overlapping_tiers_are_refused():
    tiers = [
        {"min_hours": 0, "max_hours": 30, "amount": 15},
        {"min_hours": 24, "max_hours": None, "amount": 0},
    ]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {"fee.tiers": [str(rules.TIERS_OVERLAP % {"low": 24, "high": 30})]}


def test_gapped_tiers_are_refused():
    tiers = [
        {"min_hours": 0, "max_hours": 12, "amount": 15},
        {"min_hours": 24, "max_hours": None, "amount": 0},
    ]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {"fee.tiers": [str(rules.TIERS_GAP % {"low": 12, "high": 24})]}


def test_tiers_must_start_at_zero_hours_and_be_open_ended():
    tiers = [{"min_hours": 2, "max_hours": 48, "amount": 5}]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {
        "fee.tiers": [str(rules.TIERS_MUST_START_AT_ZERO % {"hours": 2}), str(rules.TIERS_MUST_BE_OPEN_ENDED)]
    }


def test_only_the_last_tier_may_be_open_ended():
    tiers = [{"min_hours": 0, "amount": 5}, {"min_hours": 24, "amount": 0}]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {"fee.tiers": [str(rules.TIERS_OPEN_END_NOT_LAST)]}


def test_a_tier_ending_before_it_starts_is_refused():
    tiers = [{"min_hours": 0, "max_hours": 0, "amount": 5}, {"min_hours": 0, "amount": 0}]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {"fee.tiers[0].max_hours": [str(rules.TIER_MAX_NOT_ABOVE_MIN)]}


def test_a_tier_with_more_notice_may_not_cost_more():
    tiers = [{"min_hours": 0, "max_hours": 24, "amount": 5}, {"min_hours": 24, "amount": 10}]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {"fee.tiers": [str(rules.TIERS_FEE_RISES % {"hours": 24})]}


def test_bad_fields_inside_a_tier_are_named_by_position():
    tiers = [{"min_hours": "zero", "max_hours": 24, "amount": -1}, {"min_hours": 24, "price": 0}]

    errors = errors_for({"fee": {"kind": "tiered", "tiers": tiers}})

    assert errors == {
        "fee.tiers[0].min_hours": [str(rules.NOT_A_NUMBER)],
        "fee.tiers[0].amount": [str(rules.NEGATIVE)],
        "fee.tiers[1].price": [str(rules.UNKNOWN_KEY)],
        "fee.tiers[1].amount": [str(rules.REQUIRED)],
    }


def test_every_bad_field_is_reported_at_once():
    errors = errors_for({"hours_before": -3, "max_cancellations_per_month": "x", "fee": {"kind": "fixed"}})

    assert set(errors) == {"hours_before", "max_cancellations_per_month", "fee.amount"}


def test_the_error_text_names_each_field():
    with pytest.raises(PolicySettingsError) as caught:
        parse_policy_settings("cancellation", {"hours_before": -3}, currency="EUR")

    assert caught.value.messages == [f"hours_before: {rules.NEGATIVE}"]
