"""Celery tasks: take ids, call a service. Each runs in the schema it was sent from."""

from celery import shared_task

from webhooks import services


@shared_task(name="webhooks.send_delivery")
def send_delivery(delivery_id: int) -> str:
    delivery = services.delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "not due"


@shared_task(name="webhooks.send_lost")
def send_lost() -> int:
    return services.deliveries_send_lost()
