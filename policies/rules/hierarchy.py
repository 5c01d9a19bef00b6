"""The hierarchy: staff → service → branch → company → built-in default, and explicit override chains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


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
