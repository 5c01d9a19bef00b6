"""Celery tasks: take ids, call a service. Each runs in the schema it was sent from."""

from celery import shared_task

from notifications import reports, services


@shared_task(name="notifications.send_delivery")
def send_delivery(delivery_id: int) -> str:
    delivery = services.delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "not claimed"


@shared_task(name="notifications.dispatch_due")
def dispatch_due() -> int:
    services.deliveries_fail_stuck()
    return services.deliveries_dispatch_due()


@shared_task(name="notifications.manager_daily_summary")
def manager_daily_summary() -> int:
    return reports.send_daily_summaries()


@shared_task(name="notifications.manager_weekly_sla_report")
def manager_weekly_sla_report() -> int:
    return reports.send_weekly_sla_reports()
