"""Callback thresholds: defaults for the keys this app reads through `common.conf.company_setting`.

`settings.SWITCHBOARD` (and `SWITCHBOARD_<KEY>` in the environment) wins over these, and a company's own
`Company.settings` wins over both. `CALLBACK_SLA_HOURS` itself lives in `settings.SWITCHBOARD`.
"""

from datetime import timedelta
from typing import Any

from common.conf import company_setting, register_defaults

DEFAULTS: dict[str, Any] = {
    "CALLBACK_SLA_HOURS": {"urgent": 2, "high": 4, "normal": 24},
    # A second request for the same phone within this window is merged into the open one.
    "CALLBACK_DUPLICATE_WINDOW_MINUTES": 120,
    # Failed contact attempts (no answer, voicemail, wrong number) before a `max_attempts` escalation.
    "CALLBACK_MAX_FAILED_ATTEMPTS": 3,
    "CALLBACK_ASSIGNMENT_STRATEGY": "load_based",
    # Share of the SLA budget an assignee may spend without any contact attempt before the callback is
    # handed to someone else.
    "CALLBACK_REASSIGN_AFTER_SHARE": 0.5,
    "CALLBACK_SLA_WARNING_MINUTES": 60,
    "CALLBACK_ESCALATION_COOLDOWN_HOURS": 4,
    "CALLBACK_EXPIRY_GRACE_DAYS": 7,
    # Automatic priority: this many cancelled appointments within this many days make a callback high.
    "CALLBACK_PRIORITY_CANCELLATIONS": 2,
    "CALLBACK_PRIORITY_CANCELLATION_DAYS": 90,
}
register_defaults(DEFAULTS)


def sla_budget(priority: str) -> timedelta:
    """Open time a callback of this priority may take, from the company's SLA hours."""
    hours = company_setting("CALLBACK_SLA_HOURS")
    if priority not in hours:
        hours = {**DEFAULTS["CALLBACK_SLA_HOURS"], **hours}
    return timedelta(hours=float(hours[priority]))


def duplicate_window() -> timedelta:
    return timedelta(minutes=float(company_setting("CALLBACK_DUPLICATE_WINDOW_MINUTES")))


def max_failed_attempts() -> int:
    return int(company_setting("CALLBACK_MAX_FAILED_ATTEMPTS"))


def assignment_strategy() -> str:
    return str(company_setting("CALLBACK_ASSIGNMENT_STRATEGY"))


def reassign_after_share() -> float:
    return float(company_setting("CALLBACK_REASSIGN_AFTER_SHARE"))


def sla_warning_lead() -> timedelta:
    return timedelta(minutes=float(company_setting("CALLBACK_SLA_WARNING_MINUTES")))


def escalation_cooldown() -> timedelta:
    return timedelta(hours=float(company_setting("CALLBACK_ESCALATION_COOLDOWN_HOURS")))


def expiry_grace() -> timedelta:
    return timedelta(days=float(company_setting("CALLBACK_EXPIRY_GRACE_DAYS")))


def priority_cancellations() -> int:
    return int(company_setting("CALLBACK_PRIORITY_CANCELLATIONS"))


def priority_cancellation_period() -> timedelta:
    return timedelta(days=float(company_setting("CALLBACK_PRIORITY_CANCELLATION_DAYS")))
