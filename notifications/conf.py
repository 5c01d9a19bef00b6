"""Notification thresholds, read through `common.conf.company_setting` (company override → env → default)."""

from datetime import time, timedelta
from typing import Any

from common.conf import company_setting, register_defaults
from notifications.channels.twilio import TWILIO_API_BASE_URL

DEFAULTS: dict[str, Any] = {
    # Appointment reminders, in minutes before the start: one week, 24 hours, 2 hours.
    "NOTIFICATION_REMINDER_OFFSETS_MINUTES": [7 * 24 * 60, 24 * 60, 120],
    # Waits between attempts on one channel; their number is the default retry count.
    "NOTIFICATION_RETRY_DELAYS_MINUTES": [1, 5, 15],
    # No non-urgent message reaches a customer between these times of their own day (None: no quiet hours).
    "NOTIFICATION_QUIET_HOURS": {"start": "20:00", "end": "08:00"},
    # Messages per customer per day (their timezone); urgent messages still go out but count.
    "NOTIFICATION_DAILY_CAP_PER_CUSTOMER": 6,
    # Channels a customer must have consented to; opt-outs are respected on every channel.
    "NOTIFICATION_CONSENT_REQUIRED_CHANNELS": ["sms", "whatsapp"],
    "NOTIFICATION_SMS_MAX_SEGMENTS": 3,
    # A delivery stuck in `sending` this long was interrupted; it is failed, not resent (could duplicate).
    "NOTIFICATION_STUCK_SENDING_MINUTES": 15,
    # Twilio's API host; a company may use a regional one (https://api.dublin.ie1.twilio.com).
    "NOTIFICATION_TWILIO_API_BASE_URL": TWILIO_API_BASE_URL,
    # Scheme of the delivery-receipt URL given to Twilio (http only for local development).
    "NOTIFICATION_STATUS_CALLBACK_SCHEME": "https",
}
register_defaults(DEFAULTS)


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
