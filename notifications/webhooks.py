"""Twilio's requests: delivery receipts and the SMS customers send to a company's number.

Receipts are posted to the company's own host (so the schema is already the company's). Incoming SMS come
to the platform host (one URL for every number) and belong to the company whose SMS sender number (or,
failing that, routed phone number) received them. Twilio signs each request with the company's auth token
(X-Twilio-Signature); unsigned or wrongly signed requests are refused with 403 and change nothing. Twilio
posts form-encoded fields, read by the strict reader every public endpoint uses (size, content type, NUL,
lengths: 400 naming the field). Processing is a few row writes, so it happens in the request.
"""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from common.conf import current_company, platform_setting
from common.webhook_body import FORM, BodyRejected, check_form, max_length, read_raw, rejection_response
from notifications import services
from notifications.channels.twilio import is_signed_by_twilio
from notifications.models import NotificationDelivery
from notifications.selectors import company_receiving_sms
from tenants.models import Company

BAD_SIGNATURE = "The request is not signed by Twilio for this company."
UNREADABLE_FORM = "The form body cannot be read."
MISSING_FIELD = "The field {field} is required."
LIMITS = {"MessageSid": max_length(NotificationDelivery, "provider_message_id")}
NUMBER_LENGTH = max_length(Company, "twilio_from_number")
SMS_LIMITS = {**LIMITS, "From": NUMBER_LENGTH, "To": NUMBER_LENGTH, "Body": 1600}  # Twilio's longest SMS
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _fields(request: HttpRequest, limits: dict[str, int] = LIMITS) -> dict[str, str]:
    raw = read_raw(request, max_bytes=int(platform_setting("WEBHOOK_MAX_BODY_BYTES")), content_type=FORM)
    try:
        form = QueryDict(raw, encoding="utf-8")
    except SuspiciousOperation as error:  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        raise BodyRejected(400, UNREADABLE_FORM) from error
    fields = {key: form.get(key, "") for key in form}
    check_form(fields, limits)
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


def _signed_for_company(request: HttpRequest, params: dict[str, str]) -> Company:
    """The company that received the SMS, if Twilio signed the request with that company's token."""
    for name in ("From", "To"):
        if not params.get(name):
            raise BodyRejected(400, MISSING_FIELD.format(field=name), name)
    company = company_receiving_sms(params["To"])
    token = str(company.twilio_auth_token or "") if company else ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if company is None or not is_signed_by_twilio(request.build_absolute_uri(), params, token, signature):
        raise BodyRejected(403, BAD_SIGNATURE, "X-Twilio-Signature")
    return company


@csrf_exempt
@require_POST
def twilio_incoming_sms(request: HttpRequest) -> HttpResponse:
    """A customer's SMS to a company's number: "STOP" (and its German forms) opts them out of SMS, "START"
    takes it back (notifications.services.opt_outs.sms_reply_receive).

    Twilio gets an empty TwiML answer: we send no reply of our own.
    """
    try:
        params = _fields(request, SMS_LIMITS)
        company = _signed_for_company(request, params)
    except BodyRejected as rejection:
        return rejection_response(rejection)
    with tenant_context(company):
        services.sms_reply_receive(from_number=params["From"], body=params.get("Body", ""))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
