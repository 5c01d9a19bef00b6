"""Two workers that pick up the same delivery at the same moment: one sends, the other backs off."""

import threading

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from notifications import services
from notifications.models import NotificationDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_sends_of_one_delivery_reach_the_provider_once(
    companies, committed_sms, committed_twilio
):
    acme = companies["acme"]
    start = threading.Barrier(4)
    results: list = []

    def worker() -> None:
        try:
            connection.set_tenant(acme)
            start.wait()
            results.append(services.delivery_send(delivery_id=committed_sms.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with tenant_context(acme):
        committed_sms.refresh_from_db()
    assert committed_sms.status == NotificationDelivery.Status.SENT
    assert sum(result is not None for result in results) == 1
    assert len(committed_twilio.messages) == 1
