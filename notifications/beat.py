"""Beat entries (collected by config.celery): queue due sends once a minute, per company; the managers'
reports in the morning (daily summary every day, the deadline report on Mondays)."""

from celery.schedules import crontab

from common.tasks import per_company

SCHEDULE = {
    "notifications-dispatch-due": per_company("notifications.dispatch_due", 60),
    "notifications-manager-daily-summary": per_company(
        "notifications.manager_daily_summary", crontab(hour=7, minute=0)
    ),
    "notifications-manager-weekly-sla-report": per_company(
        "notifications.manager_weekly_sla_report", crontab(day_of_week=1, hour=7, minute=15)
    ),
}
