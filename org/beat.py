"""Periodic work on organisation data (collected by config.celery while settings load: import no models)."""

from celery.schedules import crontab

from common.tasks import per_company

SCHEDULE = {
    # Personal data past each company's retention periods is emptied at night (org.retention).
    "privacy-expire-personal-data": per_company("privacy.expire_personal_data", crontab(hour=2, minute=30)),
}
