"""What a call cost: Retell's figures (USD cents, as sent) and their value in the company's currency.

Retell reports `call_cost.combined_cost` in cents (USD) with a `product_costs` breakdown; the telephony
share is what the products for the phone line cost (Twilio, Telnyx, Retell's own numbers), shown
separately but already part of the combined cost. Conversion uses the `USD_EXCHANGE_RATE` setting
(`{"EUR": "0.92", ...}`: units of the currency per US dollar), overridable per company.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

TELEPHONY_PRODUCTS = ("twilio", "telnyx", "telephony", "phone_number", "vonage", "sip")
CENT = Decimal("0.0001")


@dataclass(frozen=True)
class RetellCost:
    total_cents: Decimal
    telephony_cents: Decimal | None


def retell_cost(call_cost: Any) -> RetellCost | None:
    """Read Retell's `call_cost` object; None when it is absent or carries no usable total."""
    if not isinstance(call_cost, dict):
        return None
    total = _decimal(call_cost.get("combined_cost"))
    if total is None:
        return None
    telephony = [
        _decimal(product.get("cost"))
        for product in call_cost.get("product_costs") or []
        if isinstance(product, dict) and _is_telephony(str(product.get("product", "")))
    ]
    known = [cost for cost in telephony if cost is not None]
    return RetellCost(total_cents=total, telephony_cents=sum(known, Decimal(0)) if known else None)


def converted_cents(usd_cents: Decimal, rate: Decimal) -> Decimal:
    return (usd_cents * rate).quantize(CENT)


def exchange_rate(rates: Any, currency: str) -> Decimal | None:
    """The configured rate for `currency` (USD is always 1); None when not configured."""
    if currency == "USD":
        return Decimal(1)
    if not isinstance(rates, dict):
        return None
    return _decimal(rates.get(currency))


def _is_telephony(product: str) -> bool:
    return any(word in product.lower() for word in TELEPHONY_PRODUCTS)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None
