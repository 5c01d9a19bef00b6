"""Platform defaults of the policy app's company settings (overridable per company in Company.settings)."""

from common.conf import register_defaults

DEFAULTS = {
    # True: judge every cancellation/reschedule by the policy in force now, not the one stored at booking.
    "POLICY_ALWAYS_CURRENT": False,
}

register_defaults(DEFAULTS)
