"""The policy rules themselves: settings schema, fees and decisions.

Pure Python on purpose (no models, no queries): everything here is a function of its arguments, which is what
lets the property tests in tests/policies/test_rules_properties.py hammer it. The engine in services.py
supplies the facts (notice, price, quota used) and records the outcome.

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

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models  # only for TextChoices: nothing in this module touches the database
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")
CENT = Decimal("0.01")
HOUR = timedelta(hours=1)
QUOTA_WINDOW = timedelta(days=30)

# Settings validation messages (each is shown after the name of the field it concerns).
NOT_AN_OBJECT = _("must be an object (a JSON dictionary)")
UNKNOWN_KEY = _("is not a known setting")
NOT_FOR_THIS_TYPE = _("does not apply to %(policy_type)s policies")
NOT_A_NUMBER = _("must be a number")
NOT_A_WHOLE_NUMBER = _("must be a whole number or empty (unlimited)")
NOT_AN_AMOUNT = _("must be an amount of money such as 10 or 12.50")
NEGATIVE = _("must be zero or more")
TOO_MANY_DECIMALS = _("must have at most two decimal places")
PERCENT_ABOVE_100 = _("must be between 0 and 100")
NOT_A_CURRENCY = _("must be a three-letter currency code such as EUR")
REQUIRED = _("is required")
UNKNOWN_FEE_KIND = _("must be one of: none, fixed, tiered, percentage")
NOT_A_LIST = _("must be a list of tiers")
EMPTY_TIERS = _("needs at least one tier")
TIERS_MUST_START_AT_ZERO = _("must start at 0 hours (the shortest-notice tier starts at %(hours)s h)")
TIERS_GAP = _("leave a gap between %(low)s h and %(high)s h")
TIERS_OVERLAP = _("overlap between %(low)s h and %(high)s h")
TIERS_OPEN_END_NOT_LAST = _("only the tier for the longest notice may leave max_hours empty")
TIERS_MUST_BE_OPEN_ENDED = _("must end with a tier without max_hours (for any longer notice)")
TIER_MAX_NOT_ABOVE_MIN = _("max_hours must be greater than min_hours")
TIERS_FEE_RISES = _("a tier with more notice (from %(hours)s h) cannot cost more than one with less notice")
UNKNOWN_POLICY_TYPE = _("unknown policy type %(policy_type)s")

# Decision reasons: plain words for staff and (read out by the phone agent) for customers.
REASON_ALLOWED_FREE = _("Allowed, free of charge.")
REASON_ALLOWED_WITH_FEE = _("Allowed; a fee of %(fee)s applies.")
REASON_IN_PAST = _("The appointment has already started, so it can no longer be changed.")
REASON_NOT_CHANGEABLE = _("The appointment is %(status)s and can no longer be changed.")
REASON_NEW_START_IN_PAST = _("The new time has already passed.")
REASON_NOTICE_TOO_SHORT = _(
    "Changes need at least %(required)s hours' notice; only %(notice)s hours are left before the appointment."
)
REASON_CANCEL_QUOTA_USED = _(
    "The customer has already cancelled %(used)s times in the last 30 days (the limit is %(limit)s)."
)
REASON_RESCHEDULE_QUOTA_USED = _(
    "This appointment has already been moved %(used)s times (the limit is %(limit)s)."
)


class PolicyType(models.TextChoices):
    CANCELLATION = "cancellation", _("cancellation")
    RESCHEDULE = "reschedule", _("reschedule")


class FeeKind(enum.StrEnum):
    NONE = "none"
    FIXED = "fixed"
    TIERED = "tiered"
    PERCENTAGE = "percentage"


class DecisionCode(enum.StrEnum):
    """Stable, machine-readable reasons (the phone agent and the API branch on these)."""

    ALLOWED = "allowed"
    IN_PAST = "in_past"
    NOT_CHANGEABLE = "not_changeable"
    NEW_START_IN_PAST = "new_start_in_past"
    DEADLINE_MISSED = "deadline_missed"
    QUOTA_EXCEEDED = "quota_exceeded"


class PolicySettingsError(ValueError):
    """Settings that break the schema; ``errors`` maps a field path (``fee.tiers[1].amount``) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" for path, msgs in errors.items() for msg in msgs))

    @property
    def messages(self) -> list[str]:
        return [f"{path}: {msg}" for path, msgs in self.errors.items() for msg in msgs]


@dataclass(frozen=True, order=False)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(CENT, rounding=ROUND_HALF_UP))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def to_json(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


@dataclass(frozen=True)
class FeeTier:
    min_hours: Decimal
    max_hours: Decimal | None
    amount: Decimal

    def covers(self, notice_hours: Decimal) -> bool:
        return self.min_hours <= notice_hours and (self.max_hours is None or notice_hours < self.max_hours)


@dataclass(frozen=True)
class FeeRule:
    kind: FeeKind = FeeKind.NONE
    currency: str = ""
    amount: Decimal | None = None
    tiers: tuple[FeeTier, ...] = ()
    percentage: Decimal | None = None
    max_amount: Decimal | None = None

    def fee_for(self, *, notice: timedelta, price: Money | None, currency: str) -> Money:
        """The fee for changing an appointment with this much notice (negative notice counts as none).

        ``currency`` is the one to use when the rule has none of its own (no fee, or a percentage of a
        missing price).
        """
        if self.kind is FeeKind.FIXED:
            return Money(self.amount, self.currency)
        if self.kind is FeeKind.TIERED:
            hours = notice_hours(max(notice, timedelta(0)))
            tier = next(t for t in self.tiers if t.covers(hours))
            return Money(tier.amount, self.currency)
        if self.kind is FeeKind.PERCENTAGE and price is not None:
            fee = price.amount * self.percentage / 100
            if self.max_amount is not None:
                fee = min(fee, self.max_amount)
            return Money(fee, price.currency)
        return Money.zero(price.currency if price else currency)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": str(self.kind)}
        if self.kind in (FeeKind.FIXED, FeeKind.TIERED):
            data["currency"] = self.currency
        if self.kind is FeeKind.FIXED:
            data["amount"] = str(self.amount)
        if self.kind is FeeKind.TIERED:
            data["tiers"] = [
                {
                    "min_hours": _number_json(t.min_hours),
                    "max_hours": None if t.max_hours is None else _number_json(t.max_hours),
                    "amount": str(t.amount),
                }
                for t in self.tiers
            ]
        if self.kind is FeeKind.PERCENTAGE:
            data["percentage"] = str(self.percentage)
            if self.max_amount is not None:
                data["max_amount"] = str(self.max_amount)
        return data

    def describe(self) -> str:
        """One line for people: "15.00 EUR", "≥48 h: 0.00 EUR · 24–48 h: 10.00 EUR", "50% of the price"."""
        if self.kind is FeeKind.FIXED:
            return str(Money(self.amount, self.currency))
        if self.kind is FeeKind.TIERED:
            return " · ".join(_describe_tier(t, self.currency) for t in self.tiers)
        if self.kind is FeeKind.PERCENTAGE:
            text = gettext("%(percentage)s%% of the price") % {"percentage": _number_json(self.percentage)}
            if self.max_amount is not None:
                text += " " + gettext("(at most %(max)s)") % {"max": self.max_amount}
            return text
        return gettext("no fee")


@dataclass(frozen=True)
class PolicyRules:
    """Validated, normalised settings of one policy."""

    policy_type: PolicyType
    hours_before: Decimal = Decimal(0)
    max_cancellations_per_month: int | None = None
    max_reschedules_per_appointment: int | None = None
    fee: FeeRule = field(default_factory=FeeRule)

    @property
    def quota_limit(self) -> int | None:
        if self.policy_type is PolicyType.CANCELLATION:
            return self.max_cancellations_per_month
        return self.max_reschedules_per_appointment

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"hours_before": _number_json(self.hours_before)}
        if self.policy_type is PolicyType.CANCELLATION:
            data["max_cancellations_per_month"] = self.max_cancellations_per_month
        else:
            data["max_reschedules_per_appointment"] = self.max_reschedules_per_appointment
        data["fee"] = self.fee.to_json()
        return data

    def describe(self) -> str:
        parts = [gettext("%(hours)s h notice") % {"hours": _number_json(self.hours_before)}]
        limit = self.quota_limit
        if self.policy_type is PolicyType.CANCELLATION:
            parts.append(
                gettext("unlimited cancellations")
                if limit is None
                else gettext("at most %(limit)s cancellations in 30 days") % {"limit": limit}
            )
        else:
            parts.append(
                gettext("unlimited moves")
                if limit is None
                else gettext("at most %(limit)s moves per appointment") % {"limit": limit}
            )
        parts.append(gettext("fee: %(fee)s") % {"fee": self.fee.describe()})
        return ", ".join(parts)


class Level(models.TextChoices):
    """Where a policy sits in the hierarchy, most specific first (the order resolution tries them in)."""

    STAFF = "staff", _("staff member")
    SERVICE = "service", _("service")
    BRANCH = "branch", _("branch")
    COMPANY = "company", _("company")
    DEFAULT = "default", _("built-in default")


RESOLUTION_ORDER = (Level.STAFF, Level.SERVICE, Level.BRANCH, Level.COMPANY)


def most_specific(found: Mapping[Level, T | None]) -> tuple[Level, T | None]:
    """The first level (staff → service → branch → company) that has something; else the built-in default."""
    for level in RESOLUTION_ORDER:
        if found.get(level) is not None:
            return level, found[level]
    return Level.DEFAULT, None


def merge_settings(inherited: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """Settings of a policy that explicitly overrides another: its own keys win, the rest are inherited.

    Keys are independent (the fee is one key), so a merge of two valid settings is valid.
    """
    return {**inherited, **own}


def default_rules(policy_type: PolicyType | str) -> PolicyRules:
    """The built-in policy when no level of the hierarchy has one: always allowed, never a fee."""
    return PolicyRules(policy_type=PolicyType(policy_type))


# --------------------------------------------------------------------------- settings validation

_COMMON_KEYS = {"hours_before", "fee"}
_TYPE_KEYS = {
    PolicyType.CANCELLATION: {"max_cancellations_per_month"},
    PolicyType.RESCHEDULE: {"max_reschedules_per_appointment"},
}
_FEE_KEYS = {
    FeeKind.NONE: {"kind"},
    FeeKind.FIXED: {"kind", "amount", "currency"},
    FeeKind.TIERED: {"kind", "tiers", "currency"},
    FeeKind.PERCENTAGE: {"kind", "percentage", "max_amount"},
}
_TIER_KEYS = {"min_hours", "max_hours", "amount"}


class _Errors:
    """Collects one message per bad field so the user sees everything wrong at once."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: Any) -> None:
        self.by_path.setdefault(path, []).append(str(message))

    def __contains__(self, path: str) -> bool:
        return path in self.by_path


def parse_policy_settings(policy_type: PolicyType | str, raw: Any, *, currency: str) -> PolicyRules:
    """Validate ``raw`` (the JSON stored on a policy) and return normalised rules.

    ``currency`` is the company's currency, used by fixed and tiered fees that do not name their own.
    Raises PolicySettingsError naming every bad field.
    """
    errors = _Errors()
    try:
        policy_type = PolicyType(policy_type)
    except ValueError:
        errors.add("policy_type", UNKNOWN_POLICY_TYPE % {"policy_type": policy_type})
        raise PolicySettingsError(errors.by_path) from None
    if not isinstance(raw, Mapping):
        errors.add("settings", NOT_AN_OBJECT)
        raise PolicySettingsError(errors.by_path)
    _check_keys(errors, raw, _COMMON_KEYS | _TYPE_KEYS[policy_type], policy_type)
    hours = _number(errors, raw.get("hours_before", 0), "hours_before")
    quotas = {key: _quota(errors, raw.get(key), key) for key in _TYPE_KEYS[policy_type]}
    fee = _fee_rule(errors, raw.get("fee", {"kind": "none"}), currency)
    if errors.by_path:
        raise PolicySettingsError(errors.by_path)
    return PolicyRules(policy_type=policy_type, hours_before=hours, fee=fee, **quotas)


def rules_from_snapshot(data: Mapping[str, Any]) -> PolicyRules:
    """Rebuild rules from ``PolicyRules.to_json()`` output plus ``policy_type`` (a stored snapshot)."""
    currency = data.get("fee", {}).get("currency") or "EUR"
    settings = {k: v for k, v in data.items() if k != "policy_type"}
    return parse_policy_settings(data["policy_type"], settings, currency=currency)


def _check_keys(errors: _Errors, raw: Mapping, allowed: set[str], policy_type: PolicyType) -> None:
    other_type_keys = set().union(*_TYPE_KEYS.values()) - allowed
    for key in raw:
        if key in allowed:
            continue
        if key in other_type_keys:
            errors.add(str(key), NOT_FOR_THIS_TYPE % {"policy_type": policy_type})
        else:
            errors.add(str(key), UNKNOWN_KEY)


def _decimal(errors: _Errors, value: Any, path: str, invalid: Any) -> Decimal | None:
    """A finite Decimal from a JSON number or numeric string; None (with ``invalid`` recorded) otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        errors.add(path, invalid)
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.add(path, invalid)
        return None
    return number


def _number(errors: _Errors, value: Any, path: str) -> Decimal:
    number = _decimal(errors, value, path, NOT_A_NUMBER)
    if number is not None and number < 0:
        errors.add(path, NEGATIVE)
    return Decimal(0) if number is None else number


def _amount(errors: _Errors, value: Any, path: str) -> Decimal:
    amount = _decimal(errors, value, path, NOT_AN_AMOUNT)
    if amount is None:
        return Decimal(0)
    if amount < 0:
        errors.add(path, NEGATIVE)
    elif amount != amount.quantize(CENT):
        errors.add(path, TOO_MANY_DECIMALS)
    return amount


def _quota(errors: _Errors, value: Any, path: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(path, NOT_A_WHOLE_NUMBER)
        return None
    if value < 0:
        errors.add(path, NEGATIVE)
    return value


def _currency(errors: _Errors, value: Any, path: str) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        errors.add(path, NOT_A_CURRENCY)
        return ""
    return value


def _fee_rule(errors: _Errors, raw: Any, default_currency: str) -> FeeRule:
    if not isinstance(raw, Mapping):
        errors.add("fee", NOT_AN_OBJECT)
        return FeeRule()
    try:
        kind = FeeKind(raw.get("kind"))
    except ValueError:
        errors.add("fee.kind", UNKNOWN_FEE_KIND)
        return FeeRule()
    for key in raw:
        if key not in _FEE_KEYS[kind]:
            errors.add(f"fee.{key}", UNKNOWN_KEY)
    currency = _currency(errors, raw.get("currency", default_currency), "fee.currency")
    if kind is FeeKind.FIXED:
        return FeeRule(kind, currency, amount=_required_amount(errors, raw, "amount", "fee.amount"))
    if kind is FeeKind.TIERED:
        return FeeRule(kind, currency, tiers=_tiers(errors, raw.get("tiers")))
    if kind is FeeKind.PERCENTAGE:
        return _percentage_rule(errors, raw)
    return FeeRule()


def _required_amount(errors: _Errors, raw: Mapping, key: str, path: str) -> Decimal:
    if key not in raw or raw[key] is None:
        errors.add(path, REQUIRED)
        return Decimal(0)
    return _amount(errors, raw[key], path)


def _percentage_rule(errors: _Errors, raw: Mapping) -> FeeRule:
    if raw.get("percentage") is None:
        errors.add("fee.percentage", REQUIRED)
        percentage = Decimal(0)
    else:
        percentage = _number(errors, raw["percentage"], "fee.percentage")
        if "fee.percentage" not in errors and percentage > 100:
            errors.add("fee.percentage", PERCENT_ABOVE_100)
    max_amount = None
    if raw.get("max_amount") not in (None, ""):
        max_amount = _amount(errors, raw["max_amount"], "fee.max_amount")
    return FeeRule(FeeKind.PERCENTAGE, percentage=percentage, max_amount=max_amount)


def _tiers(errors: _Errors, raw: Any) -> tuple[FeeTier, ...]:
    if not isinstance(raw, list):
        errors.add("fee.tiers", NOT_A_LIST if raw is not None else REQUIRED)
        return ()
    if not raw:
        errors.add("fee.tiers", EMPTY_TIERS)
        return ()
    tiers = [_tier(errors, item, f"fee.tiers[{i}]") for i, item in enumerate(raw)]
    if any(t is None for t in tiers):
        return ()
    ordered = sorted(tiers, key=lambda t: t.min_hours)
    _check_tier_coverage(errors, ordered)
    return tuple(reversed(ordered))


def _tier(errors: _Errors, raw: Any, path: str) -> FeeTier | None:
    if not isinstance(raw, Mapping):
        errors.add(path, NOT_AN_OBJECT)
        return None
    before = len(errors.by_path)
    for key in raw:
        if key not in _TIER_KEYS:
            errors.add(f"{path}.{key}", UNKNOWN_KEY)
    if raw.get("min_hours") is None:
        errors.add(f"{path}.min_hours", REQUIRED)
    low = _number(errors, raw.get("min_hours", 0), f"{path}.min_hours")
    high = None if raw.get("max_hours") is None else _number(errors, raw["max_hours"], f"{path}.max_hours")
    amount = _required_amount(errors, raw, "amount", f"{path}.amount")
    if high is not None and f"{path}.max_hours" not in errors and high <= low:
        errors.add(f"{path}.max_hours", TIER_MAX_NOT_ABOVE_MIN)
    if len(errors.by_path) != before:
        return None
    return FeeTier(low, high, amount)


def _check_tier_coverage(errors: _Errors, ordered: list[FeeTier]) -> None:
    """Tiers sorted by min_hours must chain 0 → max → … → open end, with fees not rising."""
    if ordered[0].min_hours != 0:
        errors.add("fee.tiers", TIERS_MUST_START_AT_ZERO % {"hours": _number_json(ordered[0].min_hours)})
    for shorter, longer in zip(ordered, ordered[1:], strict=False):
        if shorter.max_hours is None:
            errors.add("fee.tiers", TIERS_OPEN_END_NOT_LAST)
        elif shorter.max_hours > longer.min_hours:
            overlap = {"low": _number_json(longer.min_hours), "high": _number_json(shorter.max_hours)}
            errors.add("fee.tiers", TIERS_OVERLAP % overlap)
        elif shorter.max_hours < longer.min_hours:
            gap = {"low": _number_json(shorter.max_hours), "high": _number_json(longer.min_hours)}
            errors.add("fee.tiers", TIERS_GAP % gap)
        if longer.amount > shorter.amount:
            errors.add("fee.tiers", TIERS_FEE_RISES % {"hours": _number_json(longer.min_hours)})
    if ordered[-1].max_hours is not None:
        errors.add("fee.tiers", TIERS_MUST_BE_OPEN_ENDED)


def _number_json(value: Decimal) -> int | str:
    """Hours and percentages as they are written: 24 rather than "24", 1.5 as "1.5" (exact)."""
    return int(value) if value == value.to_integral_value() else str(value.normalize())


def _describe_tier(tier: FeeTier, currency: str) -> str:
    low = _number_json(tier.min_hours)
    money = Money(tier.amount, currency)
    if tier.max_hours is None:
        return f"≥{low} h: {money}"
    if tier.min_hours == 0:
        return f"<{_number_json(tier.max_hours)} h: {money}"
    return f"{low}–{_number_json(tier.max_hours)} h: {money}"


# --------------------------------------------------------------------------- decisions


def notice_hours(notice: timedelta) -> Decimal:
    """Exact hours of notice (real time, not calendar days): microseconds / 3.6e9."""
    return Decimal(notice // timedelta(microseconds=1)) / Decimal(3_600_000_000)


@dataclass(frozen=True)
class Decision:
    """What the rules say about one change, before anyone overrides anything."""

    allowed: bool
    code: DecisionCode
    reason: str
    fee: Money
    fee_if_forced: Money
    quota_limit: int | None
    quota_used: int

    @property
    def remaining_quota(self) -> int | None:
        """How many changes of this kind are left, counting the one being judged (None = unlimited)."""
        if self.quota_limit is None:
            return None
        return max(0, self.quota_limit - self.quota_used)


def decide(
    rules: PolicyRules,
    *,
    notice: timedelta,
    price: Money | None,
    currency: str,
    quota_used: int,
) -> Decision:
    """Judge one cancellation or reschedule of an appointment starting ``notice`` from now.

    Order (as in the original engine): already started → deadline → quota → allowed with fee.
    A refusal carries no fee; ``fee_if_forced`` is what a manager's override would charge.
    """
    fee = rules.fee.fee_for(notice=notice, price=price, currency=currency)
    zero = Money.zero(fee.currency)
    limit = rules.quota_limit

    def refuse(code: DecisionCode, reason: str) -> Decision:
        return Decision(False, code, reason, zero, fee, limit, quota_used)

    if notice <= timedelta(0):
        return refuse(DecisionCode.IN_PAST, str(REASON_IN_PAST))
    if notice_hours(notice) < rules.hours_before:
        hours = {"required": _number_json(rules.hours_before), "notice": _hours_for_people(notice)}
        return refuse(DecisionCode.DEADLINE_MISSED, REASON_NOTICE_TOO_SHORT % hours)
    if limit is not None and quota_used >= limit:
        cancelling = rules.policy_type is PolicyType.CANCELLATION
        message = REASON_CANCEL_QUOTA_USED if cancelling else REASON_RESCHEDULE_QUOTA_USED
        return refuse(DecisionCode.QUOTA_EXCEEDED, message % {"used": quota_used, "limit": limit})
    reason = str(REASON_ALLOWED_FREE) if fee.is_zero else REASON_ALLOWED_WITH_FEE % {"fee": fee}
    return Decision(True, DecisionCode.ALLOWED, reason, fee, fee, limit, quota_used)


def _hours_for_people(notice: timedelta) -> str:
    """Notice rounded down to a tenth of an hour, so "23.9" is never shown as "24"."""
    return str(notice_hours(notice).quantize(Decimal("0.1"), rounding=ROUND_DOWN))
