"""Delivery receipts from Twilio, posted to the company's own host (so the schema is already the company's).

Twilio signs each request with the company's auth token (X-Twilio-Signature); unsigned or wrongly signed
requests are refused with 403 and change nothing. Twilio posts form-encoded fields, read by the strict
reader every public endpoint uses (size, content type, NUL, lengths). Processing is one locked row update,
so it happens in the request; the answer is 204 whether or not the message is one of ours.
"""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.conf import current_company, platform_setting
from common.webhook_body import FORM, BodyRejected, check_form, max_length, read_raw, rejection_response
from notifications import services
from notifications.channels.twilio import is_signed_by_twilio
from notifications.models import NotificationDelivery

BAD_SIGNATURE = "The request is not signed by Twilio for this company."
UNREADABLE_FORM = "The form body cannot be read."
LIMITS = {"MessageSid": max_length(NotificationDelivery, "provider_message_id")}


def _fields(request: HttpRequest) -> dict[str, str]:
    raw = read_raw(request, max_bytes=int(platform_setting("WEBHOOK_MAX_BODY_BYTES")), content_type=FORM)
    try:
        form = QueryDict(raw, encoding="utf-8")
    except SuspiciousOperation as error:  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        raise BodyRejected(400, UNREADABLE_FORM) from error
    fields = {key: form.get(key, "") for key in form}
    check_form(fields, LIMITS)
    return fields


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    try:
        params = _fields(request)
    except BodyRejected as rejection:
        return rejection_response(rejection)
    company = current_company()
    token = str(company.twilio_auth_token or "") if company else ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not is_signed_by_twilio(request.build_absolute_uri(), params, token, signature):
        return rejection_response(BodyRejected(403, BAD_SIGNATURE, "X-Twilio-Signature"))
    services.delivery_record_receipt(
        provider_message_id=params.get("MessageSid", ""),
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
