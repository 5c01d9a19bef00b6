"""A database that is gone answers 503 with Retry-After, not 500.

While PostgreSQL restarts or fails over, every request that needs it fails with OperationalError or
InterfaceError. Retell (and any well-behaved client) retries a 503 that says when; a 500 reads as our bug.
The failure may come from any layer (the tenant lookup in CompanyMiddleware runs before any view), and
Django turns an exception into a 500 response inside each middleware, so no middleware can catch it: the
`got_request_exception` signal, sent while the exception is being handled, marks the request instead, and
`DatabaseUnavailableMiddleware` (outside CompanyMiddleware) replaces that 500 with the 503. Every other
error stays a 500. Nothing here touches the database.
"""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "The database is unavailable for a moment; retry shortly."
_MARK = "_database_unavailable"


@receiver(got_request_exception, dispatch_uid="common.unavailable.mark")
def mark_database_unavailable(sender: object, request: HttpRequest | None = None, **_: object) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, _MARK, f"{type(error).__name__}: {error}".strip()[:300])


def database_unavailable_response() -> JsonResponse:
    response = JsonResponse({"error": DATABASE_UNAVAILABLE}, status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """503 + Retry-After + a JSON error for a request that failed because the database was unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        reason = getattr(request, _MARK, None)
        if reason is None or response.status_code != 500:
            return response
        logger.warning("database unavailable, answered 503: %s", reason)
        return database_unavailable_response()


# A task that finds the database gone is retried soon, not left for its sweep (minutes later): 2, 4, 8, 16,
# then every 30 s, for a few minutes of outage. Spread into `@shared_task(...)`; processing is idempotent.
DATABASE_GONE = (OperationalError, InterfaceError)
DATABASE_RETRY = {
    "autoretry_for": DATABASE_GONE,
    "retry_backoff": 2,
    "retry_backoff_max": 30,
    "retry_jitter": False,
    "max_retries": 10,
}
