"""Calls and Retell request bodies (shaped like shared/integrations/retell.md's examples)."""

import json
from typing import Any

import factory
from retell.lib.webhook_auth import symmetric

from calls.models import Call, FunctionInvocation

PLATFORM_KEY = "key_test_platform_retell"  # settings_test.RETELL_API_KEY


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    retell_call_id = factory.Sequence(lambda n: f"call_{n:032x}")
    agent_id = "agent_7d2e41b09c5a4f3e8b61"
    direction = Call.Direction.INBOUND
    from_number = "+4915112345678"
    to_number = "+4930901820"
    status = "ongoing"


class FunctionInvocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunctionInvocation

    call = factory.SubFactory(CallFactory)
    name = "list_services"


def call_object(call_id: str, *, to_number: str, from_number: str = "+4915112345678", **extra: Any) -> dict:
    return {
        "call_type": "phone_call",
        "call_id": call_id,
        "agent_id": "agent_7d2e41b09c5a4f3e8b61",
        "agent_version": 3,
        "call_status": "ongoing",
        "direction": "inbound",
        "from_number": from_number,
        "to_number": to_number,
        "start_timestamp": 1767279600512,
        **extra,
    }


def ended(call_id: str, *, to_number: str, **extra: Any) -> dict:
    fields: dict[str, Any] = dict(
        call_status="ended",
        end_timestamp=1767279702288,
        duration_ms=101776,
        disconnection_reason="user_hangup",
        transcript="Agent: Grüß Gott, Praxis Müller.\nUser: Ich möchte einen Termin übermorgen.\n",
        transcript_object=[
            {
                "role": "agent",
                "content": "Grüß Gott, Praxis Müller.",
                "words": [{"word": "Grüß", "start": 0.4}],
            },
            {"role": "user", "content": "Ich möchte einen Termin übermorgen.", "words": []},
        ],
        recording_url="https://example-bucket.retellai.com/recordings/rec.wav",
        call_cost={
            "combined_cost": 11.87,
            "product_costs": [
                {"product": "elevenlabs_tts", "unit_price": 0.0117, "cost": 1.19},
                {"product": "twilio_telephony", "unit_price": 0.0085, "cost": 0.85},
                {"product": "retell_platform", "unit_price": 0.1, "cost": 9.83},
            ],
            "total_duration_seconds": 102,
        },
    )
    return call_object(call_id, to_number=to_number, **{**fields, **extra})


def analyzed(
    call_id: str,
    *,
    to_number: str,
    successful: bool = True,
    sentiment: str = "Positive",
    custom: dict | None = None,
    **extra: Any,
) -> dict:
    extra.setdefault(
        "call_analysis",
        {
            "call_summary": "Die Anruferin möchte einen Termin verschieben.",
            "user_sentiment": sentiment,
            "call_successful": successful,
            "in_voicemail": False,
            "custom_analysis_data": custom or {},
        },
    )
    return ended(call_id, to_number=to_number, **extra)


def signed_post(
    client,
    path: str,
    body: Any,
    *,
    key: str = PLATFORM_KEY,
    ts_ms: int | None = None,
    signature: str | None = None,
):
    """POST the exact bytes Retell would send, signed with retell-sdk's own signer."""
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    headers = (
        {} if signature == "" else {"X-Retell-Signature": signature or symmetric["sign"](raw, key, ts_ms)}
    )
    return client.post(path, data=raw.encode("utf-8"), content_type="application/json", headers=headers)
