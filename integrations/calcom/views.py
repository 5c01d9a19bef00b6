"""POST /webhooks/calcom/<company-slug>: verify, store, answer at once (processing happens in Celery)."""

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, tenant_context

from common.conf import platform_setting
from integrations.calcom.services import calcom_event_store
from integrations.calcom.signature import signature_ok
from tenants.models import Company

logger = logging.getLogger(__name__)

UNKNOWN_COMPANY = "No company with this address."
NO_SECRET_CONFIGURED = "This company has no Cal.com webhook secret configured."
BAD_SIGNATURE = "X-Cal-Signature-256 does not match the body."
BODY_TOO_LARGE = "The body is too large."
NOT_JSON = "The body is not a JSON object."


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def calcom_webhook(request: HttpRequest, slug: str) -> JsonResponse:
    company = (
        Company.objects.filter(slug=slug, is_active=True)
        .exclude(schema_name=get_public_schema_name())
        .first()
    )
    if company is None:
        return _error(UNKNOWN_COMPANY, 404)
    if len(request.body) > int(platform_setting("WEBHOOK_MAX_BODY_BYTES")):
        return _error(BODY_TOO_LARGE, 413)
    if not company.calcom_webhook_secret:
        logger.warning("Cal.com webhook for %s refused: no webhook secret configured", company.schema_name)
        return _error(NO_SECRET_CONFIGURED, 403)
    if not signature_ok(
        request.body, request.headers.get("X-Cal-Signature-256"), company.calcom_webhook_secret
    ):
        logger.warning("Cal.com webhook for %s refused: bad signature", company.schema_name)
        return _error(BAD_SIGNATURE, 401)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(NOT_JSON, 400)
    if not isinstance(body, dict):
        return _error(NOT_JSON, 400)
    with tenant_context(company):
        stored, created = calcom_event_store(body=body, raw_body=request.body, headers=dict(request.headers))
    return JsonResponse({"status": "received" if created else "duplicate", "id": stored.pk})
