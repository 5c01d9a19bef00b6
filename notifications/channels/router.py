"""Send one composed message on a delivery's channel, with the current company's credentials."""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from common.conf import company_setting, current_company, current_company_fresh, platform_setting
from notifications.channels.base import DeliveryError, OutgoingMessage, Receipt
from notifications.channels.email import send_email
from notifications.channels.slack import post_to_webhook
from notifications.channels.twilio import TwilioAccount, TwilioMessages
from notifications.models import Channel

NO_SMS_SENDER = "No SMS sender number is configured for this company."
NO_WHATSAPP_SENDER = "No WhatsApp sender number is configured for this company."
WHATSAPP_PREFIX = "whatsapp:"


def send_on_channel(delivery, *, subject: str, text: str, html: str = "") -> Receipt:
    channel = delivery.channel
    if channel == Channel.EMAIL:
        reply_to = delivery.branch.email if delivery.branch else ""
        message = OutgoingMessage(
            to=delivery.address, subject=subject, text=text, html=html, reply_to=reply_to
        )
        return send_email(message, from_email=company_from_email())
    if channel == Channel.SMS:
        twilio = _twilio()
        sender = _sender("twilio_from_number", NO_SMS_SENDER)
        return twilio.send(
            to=delivery.address, sender=sender, body=text, status_callback=status_callback_url()
        )
    if channel == Channel.WHATSAPP:
        twilio = _twilio()
        sender = WHATSAPP_PREFIX + _sender("whatsapp_from_number", NO_WHATSAPP_SENDER)
        to = WHATSAPP_PREFIX + delivery.address
        return twilio.send(to=to, sender=sender, body=text, status_callback=status_callback_url())
    if channel == Channel.SLACK:
        return post_to_webhook(slack_webhook_url(delivery.branch), text=text)
    return Receipt()  # in-app: the row itself is the message; it is visible once marked sent


def status_callback_url() -> str:
    """Where Twilio reports delivered/undelivered: our endpoint on the company's own host.

    Empty (no receipts asked for) while the endpoint is not routed or the company has no domain.
    """
    from tenants.models import Domain

    try:
        path = reverse("notifications:twilio-status")
    except NoReverseMatch:
        return ""
    company = current_company()
    domain = Domain.objects.filter(tenant=company, is_primary=True).values_list("domain", flat=True).first()
    return f"{company_setting('NOTIFICATION_STATUS_CALLBACK_SCHEME')}://{domain}{path}" if domain else ""


def company_from_email() -> str:
    """The platform's sender address with the company's name, so customers see who writes to them."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    company = current_company()
    return formataddr((company.name, address)) if company else settings.DEFAULT_FROM_EMAIL


def slack_webhook_url(branch) -> str:
    """The branch's own Slack channel if it has one, else the company's."""
    if branch is not None and branch.slack_webhook_url:
        return branch.slack_webhook_url
    company = current_company_fresh()
    return str(company.slack_webhook_url or "") if company else ""


def _twilio() -> TwilioMessages:
    company = current_company_fresh()
    account = TwilioAccount(str(company.twilio_account_sid or ""), str(company.twilio_auth_token or ""))
    return TwilioMessages(account, base_url=platform_setting("NOTIFICATION_TWILIO_API_BASE_URL"))


def _sender(field: str, missing: str) -> str:
    number = getattr(current_company_fresh(), field, "")
    if not number:
        raise DeliveryError(missing, permanent=True, code="not_configured")
    return number
