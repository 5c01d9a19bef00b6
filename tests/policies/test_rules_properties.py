"""Properties of the pure rules, checked over many generated policies (hypothesis)."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.rules import (
    RESOLUTION_ORDER,
    DecisionCode,
    Level,
    Money,
    PolicySettingsError,
    PolicyType,
    decide,
    default_rules,
    merge_settings,
    most_specific,
    parse_policy_settings,
)

# The machine is shared and busy: a slow example is not a failure of the rules.
NO_DEADLINE = settings(deadline=None)

hours = st.integers(min_value=1, max_value=24 * 60)
notices = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=120))
amounts = st.decimals(min_value=0, max_value=1000, places=2)
policy_types = st.sampled_from(list(PolicyType))


@st.composite
def tiers(draw) -> list[dict]:
    """Valid tiers: boundaries 0 < b1 < … < bn, fees not rising as notice grows, in any order."""
    bounds = sorted(draw(st.sets(hours, max_size=5)))
    edges = [0, *bounds]
    fees = sorted(draw(st.lists(amounts, min_size=len(edges), max_size=len(edges))), reverse=True)
    result = [
        {"min_hours": low, "max_hours": high, "amount": str(fee)}
        for low, high, fee in zip(edges, [*bounds, None], fees, strict=True)
    ]
    return draw(st.permutations(result))


@st.composite
def fee_settings(draw) -> dict:
    kind = draw(st.sampled_from(["none", "fixed", "tiered", "percentage"]))
    if kind == "fixed":
        return {"kind": kind, "amount": str(draw(amounts))}
    if kind == "tiered":
        return {"kind": kind, "tiers": draw(tiers())}
    if kind == "percentage":
        maximum = draw(st.none() | amounts.map(str))
        return {"kind": kind, "percentage": str(draw(st.decimals(0, 100, places=1))), "max_amount": maximum}
    return {"kind": kind}


@st.composite
def settings_for(draw, policy_type: PolicyType) -> dict:
    cancelling = policy_type is PolicyType.CANCELLATION
    quota_key = "max_cancellations_per_month" if cancelling else "max_reschedules_per_appointment"
    return {
        "hours_before": draw(st.integers(0, 24 * 14)),
        quota_key: draw(st.none() | st.integers(0, 20)),
        "fee": draw(fee_settings()),
    }


prices = st.none() | amounts.map(lambda amount: Money(amount, "EUR"))


@NO_DEADLINE
@given(tiers(), notices, notices)
def test_the_fee_never_rises_as_notice_grows(tier_list, first, second):
    settings = {"fee": {"kind": "tiered", "tiers": tier_list}}
    policy = parse_policy_settings("cancellation", settings, currency="EUR")
    shorter, longer = sorted([first, second])

    fee_shorter = policy.fee.fee_for(notice=shorter, price=None, currency="EUR")
    fee_longer = policy.fee.fee_for(notice=longer, price=None, currency="EUR")

    assert fee_longer.amount <= fee_shorter.amount


@NO_DEADLINE
@given(policy_types, notices, st.integers(0, 10_000), prices)
def test_no_policy_means_allowed_with_no_fee(policy_type, notice, used, price):
    decision = decide(default_rules(policy_type), notice=notice, price=price, currency="EUR", quota_used=used)

    assert decision.allowed
    assert decision.fee.is_zero


@NO_DEADLINE
@given(policy_types, st.data(), notices, st.integers(0, 10_000), prices)
def test_an_empty_quota_is_never_exhausted(policy_type, data, notice, used, price):
    settings = data.draw(settings_for(policy_type))
    settings.pop("max_cancellations_per_month", None)
    settings.pop("max_reschedules_per_appointment", None)
    policy = parse_policy_settings(policy_type, settings, currency="EUR")

    decision = decide(policy, notice=notice, price=price, currency="EUR", quota_used=used)

    assert decision.code is not DecisionCode.QUOTA_EXCEEDED
    assert decision.remaining_quota is None


@NO_DEADLINE
@given(policy_types, st.data(), notices, st.integers(0, 30), prices)
def test_a_refusal_never_charges_and_an_allowed_change_charges_the_policy_fee(
    policy_type, data, notice, used, price
):
    policy = parse_policy_settings(policy_type, data.draw(settings_for(policy_type)), currency="EUR")

    decision = decide(policy, notice=notice, price=price, currency="EUR", quota_used=used)

    expected = policy.fee.fee_for(notice=notice, price=price, currency="EUR")
    assert decision.fee == (expected if decision.allowed else Money.zero(expected.currency))
    assert decision.fee_if_forced == expected


@NO_DEADLINE
@given(amounts, st.decimals(0, 100, places=2), st.none() | amounts)
def test_a_percentage_fee_stays_between_zero_the_price_and_the_maximum(price, percentage, maximum):
    fee_settings = {"kind": "percentage", "percentage": str(percentage), "max_amount": maximum}
    policy = parse_policy_settings("cancellation", {"fee": fee_settings}, currency="EUR")

    fee = policy.fee.fee_for(notice=timedelta(hours=1), price=Money(price, "EUR"), currency="EUR")

    assert Decimal(0) <= fee.amount <= price
    assert maximum is None or fee.amount <= maximum


@NO_DEADLINE
@given(policy_types, st.data())
def test_valid_settings_survive_a_round_trip(policy_type, data):
    policy = parse_policy_settings(policy_type, data.draw(settings_for(policy_type)), currency="EUR")

    assert parse_policy_settings(policy_type, policy.to_json(), currency="USD") == policy


@NO_DEADLINE
@given(tiers(), st.integers(0, 3), st.integers(1, 5))
def test_moving_a_tier_boundary_leaves_a_gap_or_overlap_that_is_refused(tier_list, index, shift):
    bounded = [t for t in tier_list if t["max_hours"] is not None]
    if not bounded:
        return
    broken = [dict(t) for t in tier_list]
    target = next(t for t in broken if t["max_hours"] == bounded[index % len(bounded)]["max_hours"])
    target["max_hours"] += shift

    try:
        parse_policy_settings("cancellation", {"fee": {"kind": "tiered", "tiers": broken}}, currency="EUR")
    except PolicySettingsError as error:
        assert "fee.tiers" in error.errors
    else:
        raise AssertionError("an overlap was accepted")


@NO_DEADLINE
@given(st.fixed_dictionaries({}, optional={level: st.integers() for level in RESOLUTION_ORDER}))
def test_the_most_specific_level_always_wins(found):
    level, value = most_specific(found)

    if not found:
        assert (level, value) == (Level.DEFAULT, None)
    else:
        assert level == next(lvl for lvl in RESOLUTION_ORDER if lvl in found)
        assert value == found[level]


@NO_DEADLINE
@given(st.fixed_dictionaries({}, optional={level: st.integers() for level in RESOLUTION_ORDER}), st.data())
def test_removing_the_winning_level_falls_back_to_the_next(found, data):
    level, _ = most_specific(found)
    if level is Level.DEFAULT:
        return
    rest = {lvl: value for lvl, value in found.items() if lvl != level}

    fallback, _ = most_specific(rest)

    later = RESOLUTION_ORDER[RESOLUTION_ORDER.index(level) + 1 :]
    assert fallback == next((lvl for lvl in later if lvl in rest), Level.DEFAULT)


@NO_DEADLINE
@given(policy_types, st.data())
def test_an_override_keeps_its_own_keys_and_inherits_the_rest(policy_type, data):
    inherited = data.draw(settings_for(policy_type))
    own = {k: v for k, v in data.draw(settings_for(policy_type)).items() if data.draw(st.booleans())}

    merged = parse_policy_settings(policy_type, merge_settings(inherited, own), currency="EUR").to_json()

    parent = parse_policy_settings(policy_type, inherited, currency="EUR").to_json()
    child = parse_policy_settings(policy_type, own, currency="EUR").to_json()
    for key in merged:
        assert merged[key] == (child[key] if key in own else parent[key])
