"""Beat entries (collected by config.celery): resend deliveries whose queued message was lost."""

from common.tasks import per_company

SCHEDULE = {"webhooks-send-lost": per_company("webhooks.send_lost", 300)}
