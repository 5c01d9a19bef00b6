"""Beat entries (collected by config.celery): queue due sends once a minute, per company."""

from common.tasks import per_company

SCHEDULE = {"notifications-dispatch-due": per_company("notifications.dispatch_due", 60)}
