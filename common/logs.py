"""Log context: every line says which request (X-Request-ID), company, user and Celery task it belongs to.

`RequestIdMiddleware` takes the caller's X-Request-ID (a proxy's or a client's) when it looks like one,
else makes one, and echoes it on the response. `LogContextFilter` adds the fields to every record; the
formatter chosen in settings prints them as readable lines (development) or JSON (production).
"""

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from logging import Filter, LogRecord

from celery import current_task
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain: it ends up in every log line.
ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Set when a request starts and left in place: Django logs a 4xx/5xx response after the middleware chain
# has returned, still in the same thread and context.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def _task_id() -> str:
    task = current_task
    return (task.request.id or "") if task else ""


def _user_id(request: HttpRequest | None) -> int | None:
    """The signed-in user's id once something has loaded the user (never a query from a log call)."""
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", user)
    if loaded is None or loaded is empty or not loaded.is_authenticated:
        return None
    return loaded.pk


class LogContextFilter(Filter):
    def filter(self, record: LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", "")
        record.user_id = _user_id(request)
        record.task_id = _task_id()
        record.company = getattr(connection, "schema_name", "")
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = offered if ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        current_request.set(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
