"""Typed accessors for the Retell settings of settings.SWITCHBOARD."""

from common.conf import platform_setting


def max_body_bytes() -> int:
    """Platform-wide: the limit applies before we know which company the request is for."""
    return int(platform_setting("WEBHOOK_MAX_BODY_BYTES"))
