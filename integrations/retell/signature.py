"""Retell's `X-Retell-Signature` check, on the raw request bytes.

Retell signs every request (call events, the inbound webhook, custom functions) with
`v=<unix ms>,d=<hex HMAC-SHA256(api_key, raw_body + str(v))>` and a ±5 minute window. This is the
same rule as `retell.lib.webhook_auth.verify` in retell-sdk, but it works on bytes: re-serialising the
JSON (or decoding and re-encoding it) changes the bytes of bodies with umlauts and breaks the signature.
"""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Retell-Signature"
TOLERANCE_MS = 5 * 60 * 1000

_SIGNATURE = re.compile(r"v=(\d+),d=([0-9a-f]{64})")


def signature_is_valid(
    raw_body: bytes, api_key: str, header: str | None, *, now_ms: int | None = None
) -> bool:
    """True when `header` signs exactly `raw_body` with `api_key` and is no more than 5 minutes off."""
    if not api_key:
        return False
    match = _SIGNATURE.fullmatch(header or "")
    if match is None:
        return False
    timestamp = match.group(1)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > TOLERANCE_MS:
        return False
    expected = hmac.new(api_key.encode(), raw_body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(2))


def sign(raw_body: bytes, api_key: str, *, now_ms: int | None = None) -> str:
    """A header value as Retell would send it (for local tooling; tests sign with retell-sdk instead)."""
    timestamp = str(int(time.time() * 1000) if now_ms is None else now_ms)
    digest = hmac.new(api_key.encode(), raw_body + timestamp.encode(), hashlib.sha256).hexdigest()
    return f"v={timestamp},d={digest}"
