"""Periodic work for calls (collected by config.celery while settings load: import no models here)."""

from common.tasks import per_company

SCHEDULE = {
    # Retell call events stored but never processed (queue down) or failed: swept once per company.
    "retell-sweep-stuck-events": per_company("retell.sweep_stuck_events", 300),
}
