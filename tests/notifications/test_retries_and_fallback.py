"""Failed sends are retried after 1, 5 and 15 minutes, then handed to the fallback channel once."""

from datetime import timedelta

import pytest

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.services import NOT_RESENDABLE, delivery_resend
from notifications.tasks import send_delivery
from tests.factories.notifications import NotificationConfigurationFactory
from tests.notifications.fakes import twilio_error
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status


@pytest.fixture
def sms_confirmation(acme, book, erika):
    """Erika has no email address, so her confirmation goes by SMS (the fallback of email)."""
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    return confirmation_on("sms")


def confirmation_on(channel: str) -> NotificationDelivery:
    return NotificationDelivery.objects.get(event_type__key="appointment.created", channel=channel)


def send_when_due(delivery, clock) -> NotificationDelivery:
    delivery.refresh_from_db()
    clock.move_to(delivery.not_before, tick=False)
    send_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_a_server_error_is_retried_after_1_5_and_15_minutes_then_fails(sms_confirmation, twilio, clock):
    for _ in range(4):
        twilio.respond_next(500, twilio_error(500, 20500, "Internal Server Error"))
    waits = []
    delivery = sms_confirmation
    for _ in range(4):
        before = delivery.not_before
        delivery = send_when_due(delivery, clock)
        waits.append(delivery.not_before - before)
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(0)]
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 4)
    assert [e["attempt"] for e in delivery.errors] == [1, 2, 3, 4]
    assert all("Twilio 500 (error 20500): Internal Server Error" in e["error"] for e in delivery.errors)
    assert twilio.messages == []


def test_a_retry_that_succeeds_keeps_the_earlier_error(sms_confirmation, twilio, clock):
    twilio.respond_next(503, twilio_error(503, 20503, "Service Unavailable"))
    delivery = send_when_due(sms_confirmation, clock)
    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    delivery = send_when_due(delivery, clock)
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert [e["code"] for e in delivery.errors] == ["20503"]
    assert len(twilio.messages) == 1


def test_retry_count_and_delays_come_from_the_configuration(acme, book, erika, twilio, clock):
    NotificationConfigurationFactory(channel="sms", retry_count=1, retry_delays_minutes=[30])
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    delivery = confirmation_on("sms")
    twilio.respond_next(500, twilio_error(500, 20500, "boom"))
    twilio.respond_next(500, twilio_error(500, 20500, "boom"))
    first_try = delivery.not_before
    delivery = send_when_due(delivery, clock)
    assert delivery.not_before - first_try == timedelta(minutes=30)
    delivery = send_when_due(delivery, clock)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 2)


def test_after_the_last_failure_the_fallback_channel_is_tried_once(acme, book, erika, twilio, smtp, clock):
    smtp.refused.add(erika.email)  # the mail server refuses her address: no point retrying email
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    email = confirmation_on("email")
    email = send_when_due(email, clock)
    assert (email.status, email.attempts) == (Status.FALLBACK, 1)
    assert "550" in email.reason
    sms = NotificationDelivery.objects.get(fallback_for=email)
    assert (sms.channel, sms.fallback_channel) == ("sms", "")
    sms = send_when_due(sms, clock)
    assert sms.status == Status.SENT
    assert [m["To"] for m in twilio.messages] == ["+4917012345678"]
    assert "Ihr Termin Haircut am Donnerstag, 12. März 2026" in twilio.messages[0]["Body"]


def test_a_permanent_provider_error_skips_retries_and_fails_visibly(sms_confirmation, twilio, clock):
    twilio.respond_next(400, twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    delivery = send_when_due(sms_confirmation, clock)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert delivery.reason == "Twilio 400 (error 21610): Attempt to send to unsubscribed recipient"
    assert NotificationDelivery.objects.filter(fallback_for=delivery).count() == 0  # a fallback never chains


def test_a_failed_delivery_can_be_resent_as_a_new_row(sms_confirmation, twilio, clock):
    twilio.respond_next(400, twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    failed = send_when_due(sms_confirmation, clock)
    again = delivery_resend(delivery=failed)
    assert (again.status, again.resent_from, again.body) == (Status.QUEUED, failed, failed.body)
    send_delivery(again.pk)
    again.refresh_from_db()
    assert again.status == Status.SENT
    failed.refresh_from_db()
    assert failed.status == Status.FAILED  # the log keeps what happened


def test_only_failed_deliveries_can_be_resent(sms_confirmation):
    with pytest.raises(Exception) as caught:
        delivery_resend(delivery=sms_confirmation)
    assert caught.value.messages == [str(NOT_RESENDABLE)]


def test_missing_twilio_credentials_fail_the_sms_with_a_reason(company, book, erika, clock):
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    delivery = send_when_due(confirmation_on("sms"), clock)
    assert delivery.status == Status.FAILED
    assert "Twilio is not configured" in delivery.reason
