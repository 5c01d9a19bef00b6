"""Reads about a company's organisation and customers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet

from common.conf import company_setting
from common.phone import try_normalise_phone
from org.models import Branch, Customer, SavedView

# Words people put around a branch's name ("die Filiale in Mitte", "the practice at Charlottenburg").
BRANCH_FILLER = frozenset({
    "die", "der", "das", "den", "dem", "des", "in", "im", "am", "an", "auf", "bei", "beim", "zur", "zum",
    "von", "vom", "filiale", "praxis", "standort", "zweigstelle", "niederlassung", "bitte",
    "the", "a", "at", "on", "branch", "office", "location", "practice", "clinic",
})  # fmt: skip


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


def _spoken_words(text: str) -> list[str]:
    """Lower case, umlauts spelled out (ä → ae, ß → ss), accents dropped, filler words removed."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [word for word in re.findall(r"[a-z0-9]+", text) if word not in BRANCH_FILLER]


def branch_matching(spoken: str) -> list[Branch]:
    """The active branches a caller means by `spoken` ("Charlottenburg", "die Filiale in Mitte", an id).

    Case, umlaut spelling and filler words do not matter. A branch whose name is exactly what was said
    wins; else every branch whose name contains all the words said (or whose words were all said), else
    those whose address does. One branch is a match; several are for the caller to choose from; none is
    none. Never a guess.
    """
    words = _spoken_words(spoken)
    if not words:
        return []
    branches = list(Branch.objects.filter(is_active=True).order_by("name", "id"))
    by_id = [branch for branch in branches if str(branch.pk) == spoken.strip()]
    if by_id:
        return by_id
    exact = [branch for branch in branches if _spoken_words(branch.name) == words]
    if exact:
        return exact
    said = set(words)
    named = [b for b in branches if _contains(_spoken_words(b.name), said)]
    return named or [b for b in branches if said <= set(_spoken_words(b.address))]


def _contains(name_words: list[str], said: set[str]) -> bool:
    return bool(name_words) and (said <= set(name_words) or set(name_words) <= said)


@dataclass(frozen=True)
class UnroutedBranch:
    """The branch a callback nobody named a branch for is filed under, and whether that is certain."""

    branch: Branch | None
    confirmed: bool


def branch_for_unrouted(*, customer: Customer | None = None) -> UnroutedBranch:
    """Where a callback goes when nobody named a branch (central number, unmapped Cal.com event type).

    A callback needs a branch (its deadline runs in that branch's hours). In this order: the company's
    only active branch; the branch set as `CENTRAL_BRANCH_ID` in the company's settings (the branch
    that works the central line); the branch of the customer's latest appointment. Failing all three, the
    first active branch by name, marked unconfirmed, so staff ask the caller and move it.
    """
    active = Branch.objects.filter(is_active=True).order_by("name", "id")
    only = list(active[:2])
    if len(only) == 1:
        return UnroutedBranch(only[0], True)
    central = company_setting("CENTRAL_BRANCH_ID", None)
    chosen = active.filter(pk=central).first() if isinstance(central, int) else None
    if chosen is None and customer is not None and customer.pk is not None:
        latest = customer.appointments.filter(branch__is_active=True).order_by("-starts_at", "-id").first()
        chosen = latest.branch if latest is not None else None
    if chosen is not None:
        return UnroutedBranch(chosen, True)
    return UnroutedBranch(active.first(), False)


def saved_views_for(user, list_name: str) -> QuerySet[SavedView]:
    """The user's own saved views of one list (app_label.model_name), by name; nobody else's."""
    return SavedView.objects.filter(user=user, list_name=list_name).order_by("name", "pk")
