"""Reads about a company's organisation and customers."""

from __future__ import annotations

from common.phone import try_normalise_phone
from org.models import Customer


def customer_for_phone(phone: str, *, name: str = "") -> Customer | None:
    """The live (not anonymised) customer with this number; None when there is none or no valid number.

    Several records can share a number (a family phone, a duplicate typed in by hand). Then the one named
    `name` (case-insensitive) wins when given, else the oldest: it carries the history (appointments,
    callbacks) staff know, and answering None would treat a known caller as a stranger and add yet another
    duplicate.
    """
    e164 = try_normalise_phone(phone) if phone else None
    if e164 is None:
        return None
    live = Customer.objects.filter(phone=e164, anonymised_at__isnull=True).order_by("created_at", "id")
    named = live.filter(name__iexact=name.strip()).first() if name.strip() else None
    return named or live.first()


def customer_for_email(email: str) -> Customer | None:
    """The oldest live customer with this email address (case-insensitive)."""
    if not email:
        return None
    live = Customer.objects.filter(email__iexact=email, anonymised_at__isnull=True)
    return live.order_by("created_at", "id").first()
