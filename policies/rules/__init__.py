"""The policy rules themselves: settings schema, fees and decisions.

Pure Python on purpose (no models, no queries): everything in this package is a function of its
arguments, which is what lets the property tests in tests/policies/test_rules_properties.py hammer it. The
engine in services.py supplies the facts (notice, price, quota used) and records the outcome.

- policy.py: policy types, fee rules, Money; validation.py: the settings schema and its messages;
  verdicts.py: the decision on one change; hierarchy.py: resolution order and override chains.

Settings, as stored in ``PolicyConfiguration.settings`` (JSON)::

    {
      "hours_before": 24,                       # minimum notice in hours (number >= 0), default 0
      "max_cancellations_per_month": 3,         # cancellation only; per customer, 30 days; null = no limit
      "max_reschedules_per_appointment": 2,     # reschedule only; null = unlimited
      "fee": {"kind": "none"}                   # or one of:
             {"kind": "fixed", "amount": "15.00", "currency": "EUR"}
             {"kind": "tiered", "currency": "EUR", "tiers": [
                 {"min_hours": 48, "max_hours": null, "amount": "0"},
                 {"min_hours": 24, "max_hours": 48, "amount": "10"},
                 {"min_hours": 0, "max_hours": 24, "amount": "15"}]}
             {"kind": "percentage", "percentage": "50", "max_amount": "30.00"}   # of the appointment's price
    }

A tier covers ``min_hours <= notice < max_hours``; together the tiers must cover 0 h to "forever" without gaps
or overlaps, and a tier with more notice may never cost more than one with less (otherwise giving more notice
could cost the customer more, which no business means to do).
"""

from policies.rules.hierarchy import RESOLUTION_ORDER, Level, merge_settings, most_specific
from policies.rules.policy import (
    CENT,
    FeeKind,
    FeeRule,
    FeeTier,
    Money,
    PolicyRules,
    PolicyType,
    default_rules,
)
from policies.rules.validation import (
    EMPTY_TIERS,
    NEGATIVE,
    NOT_A_CURRENCY,
    NOT_A_LIST,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_AMOUNT,
    NOT_AN_OBJECT,
    NOT_FOR_THIS_TYPE,
    PERCENT_ABOVE_100,
    REQUIRED,
    TIER_MAX_NOT_ABOVE_MIN,
    TIERS_FEE_RISES,
    TIERS_GAP,
    TIERS_MUST_BE_OPEN_ENDED,
    TIERS_MUST_START_AT_ZERO,
    TIERS_OPEN_END_NOT_LAST,
    TIERS_OVERLAP,
    TOO_MANY_DECIMALS,
    UNKNOWN_FEE_KIND,
    UNKNOWN_KEY,
    UNKNOWN_POLICY_TYPE,
    PolicySettingsError,
    parse_policy_settings,
    rules_from_snapshot,
)
from policies.rules.verdicts import (
    QUOTA_WINDOW,
    REASON_ALLOWED_FREE,
    REASON_ALLOWED_WITH_FEE,
    REASON_CANCEL_QUOTA_USED,
    REASON_IN_PAST,
    REASON_NEW_START_IN_PAST,
    REASON_NOT_CHANGEABLE,
    REASON_NOTICE_TOO_SHORT,
    REASON_RESCHEDULE_QUOTA_USED,
    Decision,
    DecisionCode,
    Reason,
    decide,
    notice_hours,
)

__all__ = [
    "CENT",
    "EMPTY_TIERS",
    "NEGATIVE",
    "NOT_AN_AMOUNT",
    "NOT_AN_OBJECT",
    "NOT_A_CURRENCY",
    "NOT_A_LIST",
    "NOT_A_NUMBER",
    "NOT_A_WHOLE_NUMBER",
    "NOT_FOR_THIS_TYPE",
    "PERCENT_ABOVE_100",
    "QUOTA_WINDOW",
    "REASON_ALLOWED_FREE",
    "REASON_ALLOWED_WITH_FEE",
    "REASON_CANCEL_QUOTA_USED",
    "REASON_IN_PAST",
    "REASON_NEW_START_IN_PAST",
    "REASON_NOTICE_TOO_SHORT",
    "REASON_NOT_CHANGEABLE",
    "REASON_RESCHEDULE_QUOTA_USED",
    "REQUIRED",
    "RESOLUTION_ORDER",
    "TIERS_FEE_RISES",
    "TIERS_GAP",
    "TIERS_MUST_BE_OPEN_ENDED",
    "TIERS_MUST_START_AT_ZERO",
    "TIERS_OPEN_END_NOT_LAST",
    "TIERS_OVERLAP",
    "TIER_MAX_NOT_ABOVE_MIN",
    "TOO_MANY_DECIMALS",
    "UNKNOWN_FEE_KIND",
    "UNKNOWN_KEY",
    "UNKNOWN_POLICY_TYPE",
    "Decision",
    "DecisionCode",
    "FeeKind",
    "FeeRule",
    "FeeTier",
    "Level",
    "Money",
    "PolicyRules",
    "PolicySettingsError",
    "PolicyType",
    "Reason",
    "decide",
    "default_rules",
    "merge_settings",
    "most_specific",
    "notice_hours",
    "parse_policy_settings",
    "rules_from_snapshot",
]
