"""The verdict on one change: already started → deadline → quota → allowed with the fee."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from policies.rules.policy import Money, PolicyRules, PolicyType, notice_hours, number_json

QUOTA_WINDOW = timedelta(days=30)

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


class DecisionCode(enum.StrEnum):
    """Stable, machine-readable reasons (the phone agent and the API branch on these)."""

    ALLOWED = "allowed"
    IN_PAST = "in_past"
    NOT_CHANGEABLE = "not_changeable"
    NEW_START_IN_PAST = "new_start_in_past"
    DEADLINE_MISSED = "deadline_missed"
    QUOTA_EXCEEDED = "quota_exceeded"


@dataclass(frozen=True)
class Reason:
    """A reason kept as its message and values, so it can be read in any language, at any time later."""

    message: Any
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.message) % self.values if self.values else str(self.message)

    def text_in(self, language: str) -> str:
        with translation.override(language):
            return str(self)


@dataclass(frozen=True)
class Decision:
    """What the rules say about one change, before anyone overrides anything."""

    allowed: bool
    code: DecisionCode
    why: Reason
    fee: Money
    fee_if_forced: Money
    quota_limit: int | None
    quota_used: int

    @property
    def reason(self) -> str:
        """The reason in plain words, in the language active now."""
        return str(self.why)

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

    def refuse(code: DecisionCode, why: Reason) -> Decision:
        return Decision(False, code, why, zero, fee, limit, quota_used)

    if notice <= timedelta(0):
        return refuse(DecisionCode.IN_PAST, Reason(REASON_IN_PAST))
    if notice_hours(notice) < rules.hours_before:
        hours = {"required": number_json(rules.hours_before), "notice": _hours_for_people(notice)}
        return refuse(DecisionCode.DEADLINE_MISSED, Reason(REASON_NOTICE_TOO_SHORT, hours))
    if limit is not None and quota_used >= limit:
        cancelling = rules.policy_type is PolicyType.CANCELLATION
        message = REASON_CANCEL_QUOTA_USED if cancelling else REASON_RESCHEDULE_QUOTA_USED
        return refuse(DecisionCode.QUOTA_EXCEEDED, Reason(message, {"used": quota_used, "limit": limit}))
    why = Reason(REASON_ALLOWED_FREE) if fee.is_zero else Reason(REASON_ALLOWED_WITH_FEE, {"fee": fee})
    return Decision(True, DecisionCode.ALLOWED, why, fee, fee, limit, quota_used)


def _hours_for_people(notice: timedelta) -> str:
    """Notice rounded down to a tenth of an hour, so "23.9" is never shown as "24"."""
    return str(notice_hours(notice).quantize(Decimal("0.1"), rounding=ROUND_DOWN))
