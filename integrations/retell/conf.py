"""Retell settings (platform defaults; each overridable by SWITCHBOARD_<KEY> or per company)."""

from common.conf import platform_setting, register_defaults

register_defaults(
    {
        # Call events that stay unprocessed this long are picked up again by the sweep.
        "RETELL_STUCK_EVENT_MINUTES": 10,
        # A failing event is retried by the sweep until it has been tried this many times.
        "RETELL_EVENT_MAX_ATTEMPTS": 5,
        "WEBHOOK_MAX_BODY_BYTES": 5 * 1024 * 1024,
    }
)


def max_body_bytes() -> int:
    """Platform-wide: the limit applies before we know which company the request is for."""
    return int(platform_setting("WEBHOOK_MAX_BODY_BYTES"))
