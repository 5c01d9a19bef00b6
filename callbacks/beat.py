"""Beat entries for the callback sweeps; merge into CELERY_BEAT_SCHEDULE (each fans out per company)."""

from celery.schedules import crontab

from common.tasks import per_company

FIVE_MINUTES = 5 * 60

CALLBACK_BEAT_SCHEDULE = {
    "callbacks-warn-sla-approaching": per_company("callbacks.warn_sla_approaching", FIVE_MINUTES),
    "callbacks-escalate-overdue": per_company("callbacks.escalate_overdue", FIVE_MINUTES),
    "callbacks-assign-pending": per_company("callbacks.assign_pending", FIVE_MINUTES),
    "callbacks-hand-on-untouched": per_company("callbacks.hand_on_untouched", FIVE_MINUTES),
    # Absences that started, people deactivated while holding callbacks: their callbacks go to the pool.
    "callbacks-release-unavailable-staff": per_company("callbacks.release_unavailable_staff", FIVE_MINUTES),
    # Daily at night (CELERY_TIMEZONE is UTC): open callbacks overdue by more than the grace period expire.
    "callbacks-expire-stale": {
        "task": "common.fan_out",
        "schedule": crontab(hour=2, minute=15),
        "args": ("callbacks.expire_stale",),
    },
}

SCHEDULE = CALLBACK_BEAT_SCHEDULE  # collected by config.celery
