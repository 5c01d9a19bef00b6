"""Business thresholds: company override → environment → platform default (settings.SWITCHBOARD)."""

import json
import os
from typing import Any

from django.conf import settings
from django.db import connection

MISSING = object()


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


def company_setting(key: str, default: Any = MISSING) -> Any:
    company = current_company()
    overrides = (company.settings or {}) if company is not None else {}
    if key in overrides:
        return overrides[key]
    return platform_setting(key, default)
