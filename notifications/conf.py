"""Typed accessors for the notification thresholds of settings.SWITCHBOARD (company → env → default)."""

from datetime import time, timedelta

from common.conf import company_setting


def reminder_offsets() -> list[timedelta]:
    return [timedelta(minutes=int(m)) for m in company_setting("NOTIFICATION_REMINDER_OFFSETS_MINUTES")]


def retry_delays_minutes() -> list[int]:
    return [int(m) for m in company_setting("NOTIFICATION_RETRY_DELAYS_MINUTES")]


def quiet_hours() -> tuple[time, time] | None:
    window = company_setting("NOTIFICATION_QUIET_HOURS")
    if not window:
        return None
    return time.fromisoformat(window["start"]), time.fromisoformat(window["end"])


def daily_cap() -> int:
    return int(company_setting("NOTIFICATION_DAILY_CAP_PER_CUSTOMER"))


def consent_required_channels() -> set[str]:
    return set(company_setting("NOTIFICATION_CONSENT_REQUIRED_CHANNELS"))


def sms_max_segments() -> int:
    return int(company_setting("NOTIFICATION_SMS_MAX_SEGMENTS"))


def stuck_sending_after() -> timedelta:
    return timedelta(minutes=int(company_setting("NOTIFICATION_STUCK_SENDING_MINUTES")))
