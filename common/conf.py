"""Business thresholds: company override → environment → platform default (settings.SWITCHBOARD)."""

import json
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

MISSING = object()
PLATFORM_ONLY = (
    "%(key)s is a platform setting: the server connects to that address, so a company cannot set it."
)


def platform_setting(key: str, default: Any = MISSING) -> Any:
    raw = os.environ.get(f"SWITCHBOARD_{key}")
    if raw is not None:
        return json.loads(raw)
    if key in settings.SWITCHBOARD:
        return settings.SWITCHBOARD[key]
    if default is MISSING:
        raise KeyError(f"Unknown Switchboard setting {key!r}")
    return default


def current_company():
    """The company whose schema the connection is on (None on the public schema)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == "public" or not hasattr(tenant, "settings"):
        return None
    return tenant


def current_company_fresh():
    """The current company re-read from the database: for secrets, which must never come from the
    worker's cached tenant object (a rotated or revoked key would otherwise live on for a while)."""
    company = current_company()
    return type(company).objects.get(schema_name=company.schema_name) if company is not None else None


def is_platform_only(name: str) -> bool:
    """Addresses the server connects to are the platform's to choose (no server-side request forgery):
    every URL-valued setting, at the top level (`NOTIFICATION_TWILIO_API_BASE_URL`) or inside a group
    (`CALCOM_CLIENT.base_url`). Tuning values such as timeouts stay per company."""
    return name.lower().endswith("url")


def company_overrides(company) -> dict[str, Any]:
    """The company's own settings without the platform-only ones (ignored even if stored)."""
    stored = company.settings if company is not None and isinstance(company.settings, dict) else {}
    return {key: _without_platform_only(value) for key, value in stored.items() if not is_platform_only(key)}


def _without_platform_only(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: item for key, item in value.items() if not is_platform_only(str(key))}


def company_settings_validate(stored: Any) -> None:
    """Refuse company settings that set a platform-only key (a field error on `settings` when saved)."""
    if not isinstance(stored, dict):
        return
    refused = [key for key in stored if is_platform_only(key)]
    for key, value in stored.items():
        if isinstance(value, dict):
            refused += [f"{key}.{name}" for name in value if is_platform_only(str(name))]
    if refused:
        raise ValidationError(
            {"settings": [ValidationError(PLATFORM_ONLY, params={"key": key}) for key in refused]}
        )


def company_setting(key: str, default: Any = MISSING) -> Any:
    overrides = company_overrides(current_company())
    if key in overrides:
        return overrides[key]
    return platform_setting(key, default)
