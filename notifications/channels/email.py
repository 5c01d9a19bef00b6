"""Email through Django's configured backend (SMTP in production)."""

import smtplib
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from notifications.channels.base import DeliveryError, OutgoingMessage, Receipt

SMTP_REFUSED = "The mail server refused the recipient: {error}"
SMTP_FAILED = "Sending the email failed: {error}"


def send_email(message: OutgoingMessage, *, from_email: str | None = None) -> Receipt:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=from_email,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=get_connection(fail_silently=False),
        headers={"Message-ID": make_msgid(domain=str(DNS_NAME))},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(SMTP_REFUSED.format(error=exc), permanent=True, code="recipient_refused") from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is a final answer from the server; 4xx is "try again later".
        raise DeliveryError(
            SMTP_FAILED.format(error=exc), permanent=exc.smtp_code >= 500, code=str(exc.smtp_code)
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(SMTP_FAILED.format(error=exc), code="smtp_error") from exc
    return Receipt(provider_message_id=email.extra_headers.get("Message-ID", ""))
