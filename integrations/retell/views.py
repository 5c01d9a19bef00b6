"""Retell's three endpoints. Each one: the strict body reader, shape, company by number, signature; work.

Nothing is written before the signature has been checked on the raw bytes. The company comes from the
public phone-number table (never a default one); the request is then handled inside that company's
schema. An unknown number is answered 404 only when the request carries a valid platform signature, so
strangers cannot probe which numbers we serve.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from common.webhook_body import BodyRejected, read_raw
from integrations.retell import conf, functions, inbound, services
from integrations.retell.payloads import (
    CallEvent,
    FunctionCall,
    InboundCall,
    PayloadError,
    parse_call_event,
    parse_function_call,
    parse_inbound,
)
from integrations.retell.routing import Route, platform_signing_key, route_call_to_company
from integrations.retell.signature import SIGNATURE_HEADER, signature_is_valid

logger = logging.getLogger(__name__)

BAD_SIGNATURE = "Missing, invalid or expired X-Retell-Signature."
UNKNOWN_NUMBER = "No company answers calls on this number."


class Rejected(Exception):
    def __init__(self, status: int, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.field = field


def _authenticated_route(raw: bytes, number: str, header: str | None) -> Route:
    route = route_call_to_company(number)
    if route is None:
        if signature_is_valid(raw, platform_signing_key(), header):
            # Our side of the call (not the caller's number), so operators can see what to configure.
            logger.warning("Retell request for unconfigured number %s", number)
            raise Rejected(404, UNKNOWN_NUMBER)
        raise Rejected(401, BAD_SIGNATURE)
    if not signature_is_valid(raw, route.signing_key, header):
        raise Rejected(401, BAD_SIGNATURE)
    return route


Handler = Callable[[HttpRequest, bytes, Any, Route], HttpResponse]


def retell_endpoint(parse: Callable[[bytes], Any], endpoint: str) -> Callable[[Handler], Callable]:
    """Wrap a handler with the checks every Retell request goes through, in this order."""

    def decorate(handle: Handler) -> Callable:
        @csrf_exempt
        @require_POST
        @wraps(handle)
        def view(request: HttpRequest) -> HttpResponse:
            try:
                # Our own size limit: long transcripts exceed Django's 2.5 MiB default.
                raw = read_raw(request, max_bytes=conf.max_body_bytes())
                payload = parse(raw)
                route = _authenticated_route(
                    raw, payload.company_number, request.headers.get(SIGNATURE_HEADER)
                )
            except BodyRejected as error:
                return _rejected(endpoint, Rejected(error.status, error.error, error.field))
            except PayloadError as error:
                return _rejected(endpoint, Rejected(400, error.reason, error.field))
            except Rejected as rejection:
                return _rejected(endpoint, rejection)
            with tenant_context(route.company):
                return handle(request, raw, payload, route)

        return view

    return decorate


def _rejected(endpoint: str, rejection: Rejected) -> JsonResponse:
    logger.warning("Retell %s request rejected with %s: %s", endpoint, rejection.status, rejection.reason)
    return JsonResponse({"error": rejection.reason, "field": rejection.field}, status=rejection.status)


@retell_endpoint(parse_call_event, "event")
def call_event(request: HttpRequest, raw: bytes, event: CallEvent, route: Route) -> HttpResponse:
    services.retell_event_store(event=event, raw_body=raw, headers=dict(request.headers))
    return HttpResponse(status=204)


@retell_endpoint(parse_inbound, "inbound")
def call_inbound(request: HttpRequest, raw: bytes, call: InboundCall, route: Route) -> HttpResponse:
    return JsonResponse(inbound.inbound_response(inbound=call, route=route))


@retell_endpoint(parse_function_call, "function")
def function_call(request: HttpRequest, raw: bytes, call: FunctionCall, route: Route) -> HttpResponse:
    return JsonResponse(functions.run_function(request=call, route=route))
