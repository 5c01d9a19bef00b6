"""Appointment thresholds: defaults for the keys this app reads through `common.conf.company_setting`.

`settings.SWITCHBOARD` (and `SWITCHBOARD_<KEY>` in the environment) wins over these, and a company's own
`Company.settings` wins over both.
"""

from typing import Any

from common.conf import register_defaults

DEFAULTS: dict[str, Any] = {
    # How far ahead availability may be searched.
    "APPOINTMENT_SEARCH_MAX_DAYS": 90,
    # Alternatives offered when the wished time is taken.
    "APPOINTMENT_MAX_ALTERNATIVES": 3,
    # "Same day" alternatives lie within this many hours of the wish; "around the same time" on other days
    # within APPOINTMENT_SAME_TIME_MINUTES.
    "APPOINTMENT_SAME_DAY_HOURS": 2,
    "APPOINTMENT_SAME_TIME_MINUTES": 60,
    # The last resort: the next free slot within this many days of the wish.
    "APPOINTMENT_NEXT_FREE_DAYS": 14,
    # Cal.com slot reservation while the caller confirms.
    "APPOINTMENT_SLOT_HOLD_MINUTES": 5,
    # Client tuning (integrations.calcom.client.ClientSettings field names), e.g. {"read_timeout": 4}.
    "CALCOM_CLIENT": {},
}
register_defaults(DEFAULTS)
