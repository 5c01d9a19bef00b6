"""Twilio's delivery receipts: delivered is noted, undelivered hands over to the fallback channel once."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from common.events import emit
from notifications.channels.twilio import request_signature
from notifications.models import NotificationDelivery
from notifications.tasks import send_delivery
from notifications.webhooks import BAD_SIGNATURE
from tests.factories.notifications import NotificationConfigurationFactory as Config
from tests.notifications.conftest import TWILIO_TOKEN
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status
RECEIPT_URL = "http://acme.localhost/notifications/twilio/status/"


@pytest.fixture
def receipts_routed():
    """config.urls_tenant routes the receipts endpoint."""


@pytest.fixture
def whatsapp_sent(acme, book, twilio, receipts_routed):
    """Erika's confirmation went out on WhatsApp (SMS is its fallback)."""
    Config(channel="email", is_enabled=False)
    Config(channel="whatsapp", fallback_channel="sms")
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    row = NotificationDelivery.objects.get(event_type__key="appointment.created", channel="whatsapp")
    send_delivery(row.pk)
    row.refresh_from_db()
    assert row.status == Status.SENT
    return row


def post_receipt(tenant_client, params: dict, token: str = TWILIO_TOKEN):
    signature = request_signature(RECEIPT_URL, params, token)
    return tenant_client.post(
        reverse("notifications:twilio-status"),
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def test_twilio_is_asked_for_receipts_on_the_companys_own_host(whatsapp_sent, twilio):
    [message] = twilio.messages
    assert message["StatusCallback"] == "https://acme.localhost/notifications/twilio/status/"


def test_no_receipts_are_asked_for_while_the_endpoint_is_not_routed(acme, book, erika, twilio, settings):
    settings.ROOT_URLCONF = "tests.notifications.urls"
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    send_delivery(NotificationDelivery.objects.get(event_type__key="appointment.created", channel="sms").pk)
    assert "StatusCallback" not in twilio.messages[0]


def test_a_delivered_receipt_is_noted(whatsapp_sent, tenant_client, clock):
    response = post_receipt(
        tenant_client, {"MessageSid": whatsapp_sent.provider_message_id, "MessageStatus": "delivered"}
    )
    assert response.status_code == 204
    whatsapp_sent.refresh_from_db()
    assert (whatsapp_sent.status, whatsapp_sent.delivered_at) == (Status.SENT, WEDNESDAY_10)


def test_an_undelivered_message_falls_back_to_sms_once(whatsapp_sent, tenant_client):
    params = {
        "MessageSid": whatsapp_sent.provider_message_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "63016",
    }
    assert post_receipt(tenant_client, params).status_code == 204
    assert post_receipt(tenant_client, params).status_code == 204  # Twilio may repeat itself
    whatsapp_sent.refresh_from_db()
    assert whatsapp_sent.status == Status.FALLBACK
    assert whatsapp_sent.reason == "Twilio reported the message as undelivered (error 63016)."
    [sms] = NotificationDelivery.objects.filter(fallback_for=whatsapp_sent)
    assert (sms.channel, sms.status) == ("sms", Status.QUEUED)


def test_a_receipt_with_a_wrong_signature_is_refused_and_changes_nothing(whatsapp_sent, tenant_client):
    params = {
        "MessageSid": whatsapp_sent.provider_message_id,
        "MessageStatus": "failed",
        "ErrorCode": "30008",
    }
    response = post_receipt(tenant_client, params, token="someone-elses-token")
    assert (response.status_code, response.json()["error"]) == (403, BAD_SIGNATURE)
    whatsapp_sent.refresh_from_db()
    assert whatsapp_sent.status == Status.SENT


def test_a_receipt_for_a_message_that_is_not_ours_is_acknowledged_and_ignored(
    acme, tenant_client, receipts_routed
):
    assert (
        post_receipt(tenant_client, {"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed"}).status_code
        == 204
    )
