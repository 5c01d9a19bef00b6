"""Money as people read it: two decimals in the reader's language, then the currency code."""

from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format


def money_text(amount: Decimal, currency: str, language: str | None = None) -> str:
    """12,50 EUR in German, 12.50 EUR in English: in `language`, else the active language."""
    if language is not None:
        with translation.override(language):
            return money_text(amount, currency)
    return f"{number_format(amount, 2)} {currency}"
