"""Celery tasks: take ids, call a service. Each runs in the schema it was sent from."""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.send_delivery")
def send_delivery(delivery_id: int) -> str:
    delivery = services.delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "not claimed"


@shared_task(name="notifications.dispatch_due")
def dispatch_due() -> int:
    services.deliveries_fail_stuck()
    return services.deliveries_dispatch_due()
