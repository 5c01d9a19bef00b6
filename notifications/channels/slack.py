"""Slack incoming webhooks: POST a JSON message to the webhook URL; Slack answers 200 "ok".

Errors come back as an HTTP status with a short plain-text body such as `invalid_payload` (400),
`action_prohibited` (403), `no_service` (404) or `channel_is_archived` (410)
(https://api.slack.com/messaging/webhooks#handling_errors).
"""

from notifications.channels.base import DeliveryError, Receipt, is_transient_http_status
from notifications.channels.http import provider_post

TIMEOUT_SECONDS = 10.0
MISSING_WEBHOOK = "No Slack webhook URL is configured for this branch or company."
UNREACHABLE = "Slack could not be reached: {error}"
OUTCOME_UNKNOWN = (
    "No answer from Slack after the message was sent ({error}); not retried to avoid a duplicate."
)
SLACK_ERROR = "Slack {status}: {body}"


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_to_webhook(webhook_url: str, *, text: str, timeout: float = TIMEOUT_SECONDS) -> Receipt:
    if not webhook_url:
        raise DeliveryError(MISSING_WEBHOOK, permanent=True, code="not_configured")
    response = provider_post("Slack", webhook_url, json={"text": text}, timeout=timeout)
    if response.status_code == 200:
        return Receipt()
    body = response.text[:200]
    raise DeliveryError(
        SLACK_ERROR.format(status=response.status_code, body=body),
        permanent=not is_transient_http_status(response.status_code),
        code=body.strip() or str(response.status_code),
    )
