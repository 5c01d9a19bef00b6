"""From domain event to what arrives: WhatsApp and SMS via Twilio, Slack, in-app."""

from datetime import timedelta

import pytest

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.selectors import unread_in_app
from notifications.services import in_app_mark_read
from notifications.tasks import send_delivery
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.notifications import NotificationConfigurationFactory
from tests.notifications.conftest import SMS_SENDER, WHATSAPP_SENDER
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status


def send_all() -> list[NotificationDelivery]:
    for row in NotificationDelivery.objects.filter(status=Status.QUEUED, not_before__lte=WEDNESDAY_10):
        send_delivery(row.pk)
    return list(NotificationDelivery.objects.order_by("pk"))


def test_a_whatsapp_confirmation_goes_through_twilio_with_whatsapp_addresses(acme, book, twilio):
    NotificationConfigurationFactory(channel="email", is_enabled=False)
    NotificationConfigurationFactory(channel="whatsapp")
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    [row] = [r for r in send_all() if r.event_type.key == "appointment.created"]
    assert row.status == Status.SENT
    [message] = twilio.messages
    assert (message["To"], message["From"]) == ("whatsapp:+4917012345678", f"whatsapp:{WHATSAPP_SENDER}")
    assert message["Body"].startswith("*Terminbestätigung: Haircut*\n\nHallo Erika Mustermann,")
    assert row.provider_message_id == message["sid"]


def test_an_sms_is_plain_gsm_text_within_the_segment_limit(acme, book, twilio, erika):
    erika.email, erika.name = "", "Erika „Ricky“ Mustermann"
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    [row] = [r for r in send_all() if r.event_type.key == "appointment.created" and r.channel == "sms"]
    [message] = twilio.messages
    assert message["From"] == SMS_SENDER
    assert message["Body"] == (
        "Acme Praxis: Ihr Termin Haircut am Donnerstag, 12. März 2026, 10:00 Uhr in Mitte ist bestätigt."
    )
    assert (row.sms_encoding, row.sms_segments) == ("gsm7", 1)


def test_a_long_sms_override_is_cut_to_the_companys_segment_limit(acme, book, erika, company_settings):
    company_settings(NOTIFICATION_SMS_MAX_SEGMENTS=1)
    NotificationConfigurationFactory(channel="email", is_enabled=False)
    NotificationConfigurationFactory(channel="sms", body_de="Hallo {{customer_name}}! " + "Bis bald. " * 40)
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    row = NotificationDelivery.objects.get(event_type__key="appointment.created", channel="sms")
    assert row.sms_segments == 1 and len(row.body) <= 160 and row.body.endswith("...")


def test_an_escalation_posts_to_the_branchs_slack_channel(acme, mitte, anna, max_manager, slack):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Erika <M>")
    emit("callback.escalated", callback=callback, level=1, audience=["managers"])
    [row] = [r for r in send_all() if r.channel == "slack"]
    assert (row.status, row.address) == (Status.SENT, "slack:company")
    [post] = slack.posts
    assert post["text"].startswith(
        "*Rückruf eskaliert: Erika &lt;M&gt;*\nEskaliert: Rückruf an Erika &lt;M&gt;"
    )


def test_in_app_notifications_are_unread_until_the_staff_member_reads_them(acme, mitte, anna):
    emit(
        "callback.assigned",
        callback=AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Erika"),
    )
    send_all()
    [unread] = unread_in_app(anna)
    assert unread.subject == "Rückruf zugewiesen: Erika"
    assert in_app_mark_read(staff=anna, delivery_ids=[unread.pk]) == 1
    assert list(unread_in_app(anna)) == []


def test_nobody_can_mark_someone_elses_notification_as_read(acme, mitte, anna, max_manager):
    emit("callback.assigned", callback=AssignedCallbackFactory(branch=mitte, assigned_to=anna))
    send_all()
    [unread] = unread_in_app(anna)
    assert in_app_mark_read(staff=max_manager, delivery_ids=[unread.pk]) == 0
    assert list(unread_in_app(anna)) == [unread]


def test_another_companys_deliveries_are_not_visible(acme, mitte, anna, other_company):
    from django_tenants.utils import tenant_context

    emit("callback.assigned", callback=AssignedCallbackFactory(branch=mitte, assigned_to=anna))
    with tenant_context(other_company):
        assert NotificationDelivery.objects.count() == 0
