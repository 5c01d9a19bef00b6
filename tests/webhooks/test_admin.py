"""Ada, the company admin, registers an endpoint in the admin and sees its secret once; she rotates it and
redelivers from the log. Max, a manager, sees none of it."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook

from tests.conftest import tenant_host
from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import deliveries_create

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


def logged_in(company, staff) -> Client:
    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    client.force_login(staff.user)
    return client


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(company, ada):
    client = logged_in(company, ada)
    form = {"url": "https://crm.example.test/hooks", "events": [EventType.CALLBACK_CREATED], "active": "on"}
    response = client.post(ENDPOINTS + "add/", form)

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == [EventType.CALLBACK_CREATED]
    assert any(endpoint.secret in shown for shown in shown_messages(response))
    Webhook(endpoint.secret)
    assert endpoint.secret in client.get(ENDPOINTS).content.decode()  # the page after saving shows it
    assert endpoint.secret not in client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()


def test_an_admin_rotates_the_secret(company, ada):
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret

    response = logged_in(company, ada).post(
        ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert any(endpoint.secret in shown for shown in shown_messages(response))


def test_an_admin_redelivers_from_the_log(company, ada, receiver, clock, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url=receiver.url)
    [delivery] = deliveries_create(event_type=EventType.CALLBACK_CREATED, data={}, occurred_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(company, ada).post(DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url", [ENDPOINTS, DELIVERIES])
def test_a_manager_sees_no_webhook_settings(company, max_manager, url):
    assert logged_in(company, max_manager).get(url).status_code == 403


def test_the_sidebar_links_the_endpoints_for_admins_only(company, ada, max_manager):
    assert ENDPOINTS in logged_in(company, ada).get("/admin/").content.decode()
    assert ENDPOINTS not in logged_in(company, max_manager).get("/admin/").content.decode()
