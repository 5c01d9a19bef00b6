"""Periodic work for the inbox (collected by config.celery while settings load: import no models here)."""

from common.conf import platform_setting
from common.tasks import per_company

# How often each company is compared with Retell's and Cal.com's own lists
# (platform setting RECONCILE_EVERY_SECONDS; environment: SWITCHBOARD_RECONCILE_EVERY_SECONDS).
RECONCILE_EVERY_SECONDS = int(platform_setting("RECONCILE_EVERY_SECONDS", 15 * 60))

SCHEDULE = {
    # Cal.com events stored but never applied (their message was lost): swept once a minute per company.
    "calcom-sweep-stuck-events": per_company("calcom.sweep_stuck_events", 60),
    # Webhooks that never came: calls and bookings we lack, taken from the vendor's own list.
    "retell-reconcile-calls": per_company("retell.reconcile_calls", RECONCILE_EVERY_SECONDS),
    "calcom-reconcile-bookings": per_company("calcom.reconcile_bookings", RECONCILE_EVERY_SECONDS),
}
