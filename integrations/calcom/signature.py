"""`X-Cal-Signature-256`: lower-case hex HMAC-SHA256 of the raw body with the webhook secret (calcom.md §2.2).

Cal.com sends the literal `no-secret-provided` when the webhook has no secret: never accepted.
"""

import hashlib
import hmac

NO_SECRET_SENT = "no-secret-provided"


def calcom_signature(raw_body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def signature_ok(raw_body: bytes, header: str | None, secret: str) -> bool:
    if not secret or not header or header.strip() == NO_SECRET_SENT:
        return False
    return hmac.compare_digest(calcom_signature(raw_body, secret), header.strip().lower())
