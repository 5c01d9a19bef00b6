"""Settings validation: one clear message per bad field, named by its path (``fee.tiers[1].amount``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from policies.rules.policy import (
    CENT,
    FeeKind,
    FeeRule,
    FeeTier,
    PolicyRules,
    PolicyType,
    number_json,
)

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


class PolicySettingsError(ValueError):
    """Settings that break the schema; ``errors`` maps a field path (``fee.tiers[1].amount``) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" for path, msgs in errors.items() for msg in msgs))

    @property
    def messages(self) -> list[str]:
        return [f"{path}: {msg}" for path, msgs in self.errors.items() for msg in msgs]


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
        errors.add("fee.tiers", TIERS_MUST_START_AT_ZERO % {"hours": number_json(ordered[0].min_hours)})
    for shorter, longer in zip(ordered, ordered[1:], strict=False):
        if shorter.max_hours is None:
            errors.add("fee.tiers", TIERS_OPEN_END_NOT_LAST)
        elif shorter.max_hours > longer.min_hours:
            overlap = {"low": number_json(longer.min_hours), "high": number_json(shorter.max_hours)}
            errors.add("fee.tiers", TIERS_OVERLAP % overlap)
        elif shorter.max_hours < longer.min_hours:
            gap = {"low": number_json(shorter.max_hours), "high": number_json(longer.min_hours)}
            errors.add("fee.tiers", TIERS_GAP % gap)
        if longer.amount > shorter.amount:
            errors.add("fee.tiers", TIERS_FEE_RISES % {"hours": number_json(longer.min_hours)})
    if ordered[-1].max_hours is not None:
        errors.add("fee.tiers", TIERS_MUST_BE_OPEN_ENDED)
