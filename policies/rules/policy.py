"""What a policy says: its type, the fee rule, and Decimal money with a currency (pure Python)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models  # only for TextChoices: nothing in this package touches the database
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.money import money_text

CENT = Decimal("0.01")


class PolicyType(models.TextChoices):
    CANCELLATION = "cancellation", _("cancellation")
    RESCHEDULE = "reschedule", _("reschedule")


class FeeKind(enum.StrEnum):
    NONE = "none"
    FIXED = "fixed"
    TIERED = "tiered"
    PERCENTAGE = "percentage"


def notice_hours(notice: timedelta) -> Decimal:
    """Exact hours of notice (real time, not calendar days): microseconds / 3.6e9."""
    return Decimal(notice // timedelta(microseconds=1)) / Decimal(3_600_000_000)


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
        return money_text(self.amount, self.currency)

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
                    "min_hours": number_json(t.min_hours),
                    "max_hours": None if t.max_hours is None else number_json(t.max_hours),
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
            text = gettext("%(percentage)s%% of the price") % {"percentage": number_json(self.percentage)}
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
        data: dict[str, Any] = {"hours_before": number_json(self.hours_before)}
        if self.policy_type is PolicyType.CANCELLATION:
            data["max_cancellations_per_month"] = self.max_cancellations_per_month
        else:
            data["max_reschedules_per_appointment"] = self.max_reschedules_per_appointment
        data["fee"] = self.fee.to_json()
        return data

    def describe(self) -> str:
        parts = [gettext("%(hours)s h notice") % {"hours": number_json(self.hours_before)}]
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


def default_rules(policy_type: PolicyType | str) -> PolicyRules:
    """The built-in policy when no level of the hierarchy has one: always allowed, never a fee."""
    return PolicyRules(policy_type=PolicyType(policy_type))


def number_json(value: Decimal) -> int | str:
    """Hours and percentages as they are written: 24 rather than "24", 1.5 as "1.5" (exact)."""
    return int(value) if value == value.to_integral_value() else str(value.normalize())


def _describe_tier(tier: FeeTier, currency: str) -> str:
    low = number_json(tier.min_hours)
    money = Money(tier.amount, currency)
    if tier.max_hours is None:
        return f"≥{low} h: {money}"
    if tier.min_hours == 0:
        return f"<{number_json(tier.max_hours)} h: {money}"
    return f"{low}–{number_json(tier.max_hours)} h: {money}"
