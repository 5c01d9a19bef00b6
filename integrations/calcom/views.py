"""POST /webhooks/calcom/<company-slug>: verify, store, answer at once (processing happens in Celery).

An unknown slug, a company without a webhook secret and a bad signature get the very same answer, so the
endpoint cannot be used to find out which companies we serve; the log says which it was.
"""

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, tenant_context

from common.conf import platform_setting
from common.webhook_body import BodyRejected, parse_json_object, read_raw, rejection_response
from integrations.calcom.payloads import LIMITS
from integrations.calcom.services import calcom_event_store
from integrations.calcom.signature import signature_ok
from tenants.models import Company

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cal-Signature-256"
NOT_ACCEPTED = "No valid X-Cal-Signature-256 for this address."


def _company_that_signed(slug: str, raw: bytes, header: str | None) -> Company:
    company = (
        Company.objects.filter(slug=slug, is_active=True)
        .exclude(schema_name=get_public_schema_name())
        .first()
    )
    if company is None:
        logger.warning("Cal.com webhook refused: no active company %r", slug[:64])
    elif not company.calcom_webhook_secret:
        logger.warning("Cal.com webhook for %s refused: no webhook secret configured", company.schema_name)
    elif not signature_ok(raw, header, company.calcom_webhook_secret):
        logger.warning("Cal.com webhook for %s refused: bad signature", company.schema_name)
    else:
        return company
    raise BodyRejected(401, NOT_ACCEPTED, SIGNATURE_HEADER)


@csrf_exempt
@require_POST
def calcom_webhook(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        raw = read_raw(request, max_bytes=int(platform_setting("WEBHOOK_MAX_BODY_BYTES")))
        company = _company_that_signed(slug, raw, request.headers.get(SIGNATURE_HEADER))
        body = parse_json_object(raw, limits=LIMITS)
    except BodyRejected as rejection:
        return rejection_response(rejection)
    with tenant_context(company):
        stored, created = calcom_event_store(body=body, raw_body=raw, headers=dict(request.headers))
    return JsonResponse({"status": "received" if created else "duplicate", "id": stored.pk})
