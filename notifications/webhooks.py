"""Delivery receipts from Twilio, posted to the company's own host (so the schema is already the company's).

Twilio signs each request with the company's auth token (X-Twilio-Signature); unsigned or wrongly signed
requests are refused with 403 and change nothing. Processing is one locked row update, so it happens in
the request; the answer is 204 whether or not the message is one of ours (Twilio needs no more).
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.conf import current_company
from notifications import services
from notifications.channels.twilio import is_signed_by_twilio

BAD_SIGNATURE = "The request is not signed by Twilio for this company."


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    company = current_company()
    params = {key: request.POST.get(key, "") for key in request.POST}
    token = str(company.twilio_auth_token or "") if company else ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not is_signed_by_twilio(request.build_absolute_uri(), params, token, signature):
        return HttpResponse(BAD_SIGNATURE, status=403, content_type="text/plain")
    services.delivery_record_receipt(
        provider_message_id=params.get("MessageSid", ""),
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
