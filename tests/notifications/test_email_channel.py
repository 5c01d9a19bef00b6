"""Email goes through Django's SMTP backend to a real SMTP server started by the test."""

import pytest

from notifications.channels.base import DeliveryError, OutgoingMessage
from notifications.channels.email import send_email
from tests.notifications.fakes import free_port


def test_an_email_arrives_with_text_and_html_parts(smtp):
    message = OutgoingMessage(
        to="erika@example.test",
        subject="Terminbestätigung",
        text="Hallo Erika",
        html="<p>Hallo Erika</p>",
        reply_to="mitte@example.test",
    )
    receipt = send_email(message, from_email="Acme Praxis <noreply@example.test>")
    [received] = smtp.received
    assert received.recipients == ["erika@example.test"]
    assert received.subject == "Terminbestätigung"
    assert received.body("plain").strip() == "Hallo Erika"
    assert received.body("html").strip() == "<p>Hallo Erika</p>"
    assert received.message["Reply-To"] == "mitte@example.test"
    assert received.message["Message-ID"] == receipt.provider_message_id


def test_a_refused_recipient_is_a_permanent_error(smtp):
    smtp.refused.add("gone@example.test")
    with pytest.raises(DeliveryError) as caught:
        send_email(
            OutgoingMessage(to="gone@example.test", subject="x", text="x"), from_email="a@example.test"
        )
    assert caught.value.permanent
    assert "550" in str(caught.value)
    assert smtp.received == []


def test_an_unreachable_mail_server_is_retried(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    with pytest.raises(DeliveryError) as caught:
        send_email(
            OutgoingMessage(to="erika@example.test", subject="x", text="x"), from_email="a@example.test"
        )
    assert not caught.value.permanent
