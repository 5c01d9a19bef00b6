"""Twilio Programmable Messaging (REST API 2010-04-01), used for SMS and WhatsApp.

POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP basic auth
with the account SID and auth token. 201 returns the Message resource (`sid`, `status`, `num_segments`);
an error returns JSON {"code", "message", "more_info", "status"} (https://www.twilio.com/docs/usage/twilios-response).
WhatsApp uses the same endpoint with `whatsapp:`-prefixed addresses.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

import httpx

from notifications.channels.base import DeliveryError, Receipt, is_transient_http_status
from notifications.channels.http import provider_post

TWILIO_API_BASE_URL = "https://api.twilio.com"
TIMEOUT_SECONDS = 10.0

MISSING_CREDENTIALS = "Twilio is not configured for this company (account SID, auth token or sender missing)."
UNREACHABLE = "Twilio could not be reached: {error}"
OUTCOME_UNKNOWN = (
    "No answer from Twilio after the message was sent ({error}); not retried to avoid a duplicate."
)
PROVIDER_ERROR = "Twilio {status} (error {code}): {message}"


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str

    @property
    def is_complete(self) -> bool:
        return bool(self.account_sid and self.auth_token)


class TwilioMessages:
    def __init__(
        self, account: TwilioAccount, *, base_url: str = TWILIO_API_BASE_URL, timeout: float = TIMEOUT_SECONDS
    ):
        if not account.is_complete:
            raise DeliveryError(MISSING_CREDENTIALS, permanent=True, code="not_configured")
        self.account = account
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, *, to: str, sender: str, body: str, status_callback: str = "") -> Receipt:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account.account_sid}/Messages.json"
        data = {"To": to, "From": sender, "Body": body}
        if status_callback:
            data["StatusCallback"] = status_callback
        response = provider_post(
            "Twilio",
            url,
            data=data,
            auth=(self.account.account_sid, self.account.auth_token),
            timeout=self.timeout,
        )
        if response.is_success:
            return _receipt(response)
        raise _error(response)


def _receipt(response: httpx.Response) -> Receipt:
    message = response.json()
    details = {"status": message.get("status", ""), "num_segments": message.get("num_segments")}
    return Receipt(provider_message_id=message.get("sid", ""), details=details)


def _error(response: httpx.Response) -> DeliveryError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("code") or response.status_code)
    message = body.get("message") or response.text[:200] or response.reason_phrase
    text = PROVIDER_ERROR.format(status=response.status_code, code=code, message=message)
    return DeliveryError(text, permanent=not is_transient_http_status(response.status_code), code=code)


def request_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each POST key and value, keys sorted)).

    https://www.twilio.com/docs/usage/webhooks/webhooks-security
    """
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_signed_by_twilio(url: str, params: dict[str, str], auth_token: str, signature: str) -> bool:
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(request_signature(url, params, auth_token), signature)
