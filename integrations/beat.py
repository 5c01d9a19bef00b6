"""Periodic work for the inbox (collected by config.celery while settings load: import no models here)."""

from common.tasks import per_company

SCHEDULE = {
    # Cal.com events stored but never applied (their message was lost): swept once a minute per company.
    "calcom-sweep-stuck-events": per_company("calcom.sweep_stuck_events", 60),
}
