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
    """Channels that need the customer's consent even for transactional messages (default: WhatsApp, whose
    business policy asks for an opt-in before any message a business starts)."""
    return set(company_setting("NOTIFICATION_CONSENT_REQUIRED_CHANNELS"))


# Messages about an appointment the patient booked. Anything else a customer could receive is marketing.
TRANSACTIONAL_EVENTS = frozenset(
    {
        "appointment.created",
        "appointment.updated",
        "appointment.rescheduled",
        "appointment.cancelled",
        "appointment.reminder",
    }
)


def is_transactional(event_key: str) -> bool:
    """Transactional messages go to the number or address used for booking without a prior consent (only
    an opt-out stops them); every other customer message is marketing and needs the channel's consent.

    A new event is marketing until it is listed here: forgetting it holds a message back, never sends one.
    """
    return event_key in TRANSACTIONAL_EVENTS


def sms_max_segments() -> int:
    return int(company_setting("NOTIFICATION_SMS_MAX_SEGMENTS"))


def stuck_sending_after() -> timedelta:
    return timedelta(minutes=int(company_setting("NOTIFICATION_STUCK_SENDING_MINUTES")))
