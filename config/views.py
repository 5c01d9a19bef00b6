"""Operational endpoints shared by the public and tenant URLconfs."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.health import OK, health_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and operators: 200 when database, Redis and workers are fine, else 503
    naming what is down."""
    checks = health_report()
    healthy = all(value == OK for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
