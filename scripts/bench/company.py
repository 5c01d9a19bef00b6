"""The bench's own company `bench`: a branch, the Retell number routed to it, its own Retell key, and the
Cal.com services the in-call scenario asks for (mapped to event types of the Cal.com stand-in)."""

from __future__ import annotations

import secrets

from integrations.retell.signature import sign
from scripts.bench.load import Request
from scripts.bench.stack import COMPANY, Stack

NUMBER = "+4930555018"
RETELL_KEY = "key_bench_" + secrets.token_hex(8)
CALCOM_SECRET = "whsec_bench_" + secrets.token_hex(8)
EVENT_TYPE_ID = 5000  # the first service's event type (mapped below)
HEADERS = {"Content-Type": "application/json", "X-Forwarded-Proto": "https", "Host": "localhost"}
SERVICES = tuple(f"Leistung {number:02d}" for number in range(1, 61))  # exact names: no partial match

PROVISION = f"""
from django_tenants.utils import tenant_context
from appointments.models import EventTypeMapping
from datetime import time
from org.models import Branch, OpeningHours, Service
from tenants.services import company_provision, phone_route_add
company = company_provision(slug="{COMPANY}", name="Bench Praxis").company
company.retell_api_key = "{RETELL_KEY}"
company.calcom_api_key = "cal_bench_{secrets.token_hex(8)}"
company.calcom_webhook_secret = "{CALCOM_SECRET}"
company.save(update_fields=["retell_api_key", "calcom_api_key", "calcom_webhook_secret"])
with tenant_context(company):
    branch, _ = Branch.objects.get_or_create(name="Bench Mitte")
    for weekday in range(5):
        OpeningHours.objects.get_or_create(branch=branch, weekday=weekday, opens=time(8), closes=time(19))
    for number, name in enumerate({SERVICES!r}):
        service, _ = Service.objects.get_or_create(name=name, defaults={{"duration_minutes": 30}})
        service.branches.add(branch)
        mapping = {{"event_type_id": {EVENT_TYPE_ID} + number, "title": name}}
        EventTypeMapping.objects.get_or_create(service=service, branch=branch, staff=None, defaults=mapping)
phone_route_add(company=company, number="{NUMBER}", branch_id=branch.pk)
"""


def provision(stack: Stack) -> None:
    stack.python(PROVISION)


def signed(path: str, body: bytes) -> Request:
    """A POST as Retell sends it, signed now (valid for Retell's 5 minutes)."""
    return Request("POST", path, {**HEADERS, "X-Retell-Signature": sign(body, RETELL_KEY)}, body)
