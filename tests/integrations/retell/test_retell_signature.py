"""Our signature check agrees with Retell's own SDK (retell-sdk's webhook_auth signs every request here)."""

import json
import time

import pytest
from retell.lib.webhook_auth import symmetric, verify

from integrations.retell.signature import TOLERANCE_MS, sign, signature_is_valid

KEY = "key_test_retell_webhook"


def retell_sign(body: str, key: str = KEY, ts_ms: int | None = None) -> str:
    return symmetric["sign"](body, key, ts_ms)


def body_with_umlauts() -> str:
    transcript = (
        "Agent: Grüß Gott! Möchten Sie einen Termin für Ihre Bräune?\nUser: Ja, übermorgen, Straße 5 — ça va."
    )
    return json.dumps({"event": "call_ended", "call": {"call_id": "call_1", "transcript": transcript}},
                      ensure_ascii=False)  # fmt: skip


def test_it_accepts_a_body_signed_by_retell_sdk():
    body = '{"event":"call_started","call":{"call_id":"call_abc","agent_id":"agent_xyz"}}'
    assert signature_is_valid(body.encode(), KEY, retell_sign(body))


def test_it_accepts_raw_utf8_bytes_of_a_body_with_umlauts():
    body = body_with_umlauts()
    header = retell_sign(body)
    assert verify(body, KEY, header)  # the SDK itself agrees
    assert signature_is_valid(body.encode("utf-8"), KEY, header)


def test_it_rejects_a_reserialised_body_with_umlauts():
    body = body_with_umlauts()
    reserialised = json.dumps(json.loads(body))  # escapes ü as \u00fc: different bytes
    assert not signature_is_valid(reserialised.encode(), KEY, retell_sign(body))


def test_it_rejects_a_tampered_body():
    body = '{"event":"call_ended","call":{"call_id":"call_1"}}'
    header = retell_sign(body)
    assert not signature_is_valid(body.replace("call_1", "call_2").encode(), KEY, header)
    assert not signature_is_valid((body + " ").encode(), KEY, header)


def test_it_rejects_a_signature_made_with_another_key():
    body = '{"event":"call_ended"}'
    assert not signature_is_valid(body.encode(), KEY, retell_sign(body, key="key_someone_else"))


@pytest.mark.parametrize("age_ms", [TOLERANCE_MS + 1_000, -(TOLERANCE_MS + 1_000)])
def test_it_rejects_stale_and_future_timestamps(age_ms):
    body = '{"event":"call_ended"}'
    header = retell_sign(body, ts_ms=int(time.time() * 1000) - age_ms)
    assert not verify(body, KEY, header)
    assert not signature_is_valid(body.encode(), KEY, header)


def test_it_accepts_a_timestamp_inside_the_window():
    body = '{"event":"call_ended"}'
    header = retell_sign(body, ts_ms=int(time.time() * 1000) - TOLERANCE_MS + 5_000)
    assert signature_is_valid(body.encode(), KEY, header)


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "v=123", "d=" + "a" * 64, "v=1700000000000,d=" + "A" * 64, "v=1,d=abc"],
)
def test_it_rejects_missing_or_malformed_headers(header):
    assert not signature_is_valid(b'{"event":"call_ended"}', KEY, header)


def test_it_rejects_everything_when_no_key_is_configured():
    body = '{"event":"call_ended"}'
    assert not signature_is_valid(body.encode(), "", retell_sign(body, key=""))


def test_it_matches_the_official_test_vector():
    expected = "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
    assert sign(b'{"event":"call_ended"}', "test-api-key", now_ms=1_700_000_000_000) == expected
    assert signature_is_valid(b'{"event":"call_ended"}', "test-api-key", expected, now_ms=1_700_000_000_000)


def test_our_sign_is_accepted_by_retell_sdk():
    body = body_with_umlauts()
    assert verify(body, KEY, sign(body.encode(), KEY))
