"""The floor of `make bench`: a bare view doing one INSERT of the request's body, on the same server.

Mounted at /bench/floor by config/urls_public.py only when the environment says BENCH_FLOOR=on (the bench
harness sets it for its own gunicorn; production never does). It goes through the same middleware as the
webhooks (the public schema's host) but skips everything of ours: no parsing, no signature, no tenant
switch, no queueing. The table is created by the harness in its throwaway database (stack.FLOOR_TABLE).
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE = "public.bench_floor"


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [request.body.decode("utf-8")])  # noqa: S608
    return HttpResponse(status=204)


urlpatterns = [path("bench/floor", floor, name="bench_floor")]
