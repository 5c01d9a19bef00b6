"""Operational endpoints shared by the public and tenant URLconfs."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.health import OK, health_report, web_readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and operators: 200 when database, Redis and workers are fine, else 503
    naming what is down."""
    return _answer(health_report())


def _answer(checks: dict[str, str]) -> JsonResponse:
    healthy = all(value == OK for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness of this web node for a load balancer: database and Redis only. Workers being down is the
    whole system's trouble (/healthz says so), not a reason to drain every web node."""
    return _answer(web_readiness())
