"""Helpers for the hostile-input tests: posting as a stranger or as Retell/Cal.com/Twilio, and counting rows.

"A rejected request leaves no row anywhere" is checked by counting every table a public endpoint can write,
in both companies' schemas and in public, before and after.
"""

import json
from typing import Any

from django.db import connection
from django_tenants.utils import schema_context
from retell.lib.webhook_auth import symmetric

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from calls.models import Call, FunctionInvocation
from integrations.calcom.signature import calcom_signature
from integrations.models import WebhookEvent
from org.models import Customer
from tenants.models import Company, Domain, PhoneNumber
from tests.factories.calls import PLATFORM_KEY

RETELL_URLS = ("/webhooks/retell/", "/webhooks/retell/inbound/", "/webhooks/retell/functions/")
CALCOM_SECRET = "whsec-acme-hostile"
TENANT_MODELS = (WebhookEvent, Call, FunctionInvocation, CallbackRequest, Customer, Appointment)
PUBLIC_MODELS = (Company, Domain, PhoneNumber)


def row_counts(*companies: Any) -> dict[str, int]:
    tenant = connection.tenant
    counts = {}
    for company in companies:
        with schema_context(company.schema_name):
            counts |= {f"{company.schema_name}.{m.__name__}": m.objects.count() for m in TENANT_MODELS}
    with schema_context("public"):
        counts |= {f"public.{m.__name__}": m.objects.count() for m in PUBLIC_MODELS}
    connection.set_tenant(tenant)
    return counts


def retell_post(client, url: str, raw: str | bytes, *, signed: bool = True, **extra: Any):
    """POST exactly `raw`, signed with retell-sdk's signer over the same bytes (or not at all)."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    headers = {"X-Retell-Signature": symmetric["sign"](text, PLATFORM_KEY)} if signed else {}
    extra.setdefault("content_type", "application/json")
    return client.post(url, data=data, headers=headers, **extra)


def calcom_post(client, slug: str, raw: bytes, *, signed: bool = True, **extra: Any):
    signature = calcom_signature(raw, CALCOM_SECRET) if signed else ""
    extra.setdefault("content_type", "application/json")
    return client.post(f"/webhooks/calcom/{slug}", raw, HTTP_X_CAL_SIGNATURE_256=signature, **extra)


def as_json(body: Any) -> str:
    """ASCII JSON (escapes for everything else), so any string can be sent and signed."""
    return json.dumps(body)


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth
