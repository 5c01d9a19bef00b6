"""Typed accessors for the callback thresholds of settings.SWITCHBOARD (company override → env → default)."""

from datetime import timedelta

from common.conf import company_setting, platform_setting


def sla_budget(priority: str) -> timedelta:
    """The SLA budget of this priority, from the company's SLA hours; `callbacks.sla` turns it into open time
    (each whole day one business day of the branch, the rest open hours)."""
    hours = company_setting("CALLBACK_SLA_HOURS")
    if priority not in hours:
        hours = {**platform_setting("CALLBACK_SLA_HOURS"), **hours}
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
