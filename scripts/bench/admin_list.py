"""Scenario 2, the callback list in the admin at 100,000 callbacks, as a manager of the branch.

Goals (issue 16), for the default list, a search by phone and by name, a deep page and each ordering:
p95 < 150 ms, page < 150 kB, and the same number of queries as the same page with 10 callbacks. The
queries are counted in a Django shell of the bench's settings (the test client with CaptureQueriesContext,
against the same database) before and after the other 99,990 callbacks are created; the load itself is
wrk with the manager's session cookie against gunicorn. The floor (a bare INSERT through the same server, at
the same connections, just before the list's loads) says what the machine gave at that moment: the box is
shared, and each row's ratio is its throughput against it.
"""

from __future__ import annotations

import json

import httpx

from scripts.bench.intake import row
from scripts.bench.load import Request, run_wrk
from scripts.bench.stack import COMPANY, Stack
from scripts.bench.table import Goal, Row

CALLBACKS = 100_000
CONNECTIONS = 4
LIST = "/admin/callbacks/callbackrequest/"
HOST = f"{COMPANY}.localhost"
# As a manager types them. Both find callbacks among the first 10 too (the phone is callback 7's, the name
# callback 0's), so the page at 10 callbacks is the same page: a search finding nothing reads no rows.
PHONE_SEARCH = "0152 0000 0007"  # the callbacks' phones are +49152000xxxxx
NAME_SEARCH = "Jürgen Müll"
FLOOR_HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https", "Content-Type": "application/json"}

SETUP = """
import json, random
from datetime import timedelta
from urllib.parse import quote_plus
from django.conf import settings
from django.contrib.admin import site
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from callbacks.models import CallbackRequest
from org.models import Branch, Role
from tenants.models import Company
from tests.factories.org import StaffFactory

FIRST = ["Jürgen", "Anna", "Mehmet", "Sophie", "Lukas", "Emma", "Ömer", "Marie", "Paul", "Lena"]
LAST = ["Müller", "Schmidt", "Yılmaz", "Becker", "Weiß", "Koch", "Schäfer", "Bauer", "Wolf", "Krüger"]
STATUSES = ["pending", "assigned", "contacted", "completed", "completed", "completed", "cancelled", "expired"]


def callbacks(branch, start, stop):
    rng, now = random.Random(start), timezone.now()
    return [
        CallbackRequest(
            branch=branch,
            phone=f"+49152{n:08d}",
            customer_name="Jürgen Müller" if n == 0 else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            status=rng.choice(STATUSES),
            priority=rng.choice(["normal", "normal", "high", "urgent"]),
            source="phone_agent",
            expires_at=now + timedelta(minutes=rng.randint(-5000, 5000)),
        )
        for n in range(start, stop)
    ]


def counted(client, urls):
    # The fewer queries of two requests: a per-process cache filled or expiring on one is not the page's cost.
    counts, sizes = {}, {}
    for url in urls:
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            counts[url], sizes[url] = min(len(queries), counts.get(url, len(queries))), len(response.content)
    return counts, sizes


company = Company.objects.get(schema_name=COMPANY)
with tenant_context(company):
    branch = Branch.objects.get(name="Bench Mitte")
    manager = StaffFactory(name="Bench Manager", role=Role.MANAGER, branches=[branch])
    CallbackRequest.objects.bulk_create(callbacks(branch, 0, 10))
    admin = site._registry[CallbackRequest]
    model_fields = {field.name for field in CallbackRequest._meta.get_fields()}
    sortable = [
        index for index, name in enumerate(admin.list_display, 1)
        if name in model_fields or getattr(getattr(admin, name, None), "admin_order_field", None)
    ]
client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
with tenant_context(company):
    client.force_login(manager.user)
urls = {
    "default list": LIST,
    "search by phone": LIST + "?q=" + quote_plus(PHONE_SEARCH),
    "search by name": LIST + "?q=" + quote_plus(NAME_SEARCH),
    "page 500": LIST + "?p=500",
    **{f"ordered by {admin.list_display[i - 1].removesuffix('_column')}": LIST + f"?o={i}" for i in sortable},
}
small, _ = counted(client, urls.values())
with tenant_context(company):
    for start in range(10, CALLBACKS, 5000):
        CallbackRequest.objects.bulk_create(callbacks(branch, start, min(start + 5000, CALLBACKS)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
large, sizes = counted(client, urls.values())
cookie = client.cookies[settings.SESSION_COOKIE_NAME]
print("BENCH_ADMIN " + json.dumps({
    "urls": urls, "small": small, "large": large, "sizes": sizes,
    "cookie": f"{settings.SESSION_COOKIE_NAME}={cookie.value}",
}))
"""


def prepared(stack: Stack) -> dict:
    """The manager, the callbacks and the query counts (printed by the shell as one JSON line)."""
    constants = f"COMPANY, HOST, LIST, CALLBACKS = {COMPANY!r}, {HOST!r}, {LIST!r}, {CALLBACKS}\n"
    constants += f"PHONE_SEARCH, NAME_SEARCH = {PHONE_SEARCH!r}, {NAME_SEARCH!r}\n"
    output = stack.python(constants + SETUP)
    line = next(line for line in output.splitlines() if line.startswith("BENCH_ADMIN "))
    return json.loads(line.removeprefix("BENCH_ADMIN "))


def run(stack: Stack, *, seconds: float, rate_guess: int) -> list[Row]:
    data = prepared(stack)
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Cookie": data["cookie"]}
    load_seconds = max(5.0, seconds / 3)
    load = f"{CONNECTIONS} conn, {load_seconds:g} s"
    bare = Request("POST", "/bench/floor", FLOOR_HEADERS, b'{"bench": "admin list floor"}')
    floor = run_wrk(stack.url, [bare], connections=CONNECTIONS, seconds=load_seconds)
    rows = [row("floor: bare INSERT (admin list's load)", load, floor, None, [])]
    for name, url in data["urls"].items():
        request = Request("GET", url, headers)
        page = httpx.get(stack.url + url, headers=headers, timeout=30)
        page.raise_for_status()
        result = run_wrk(stack.url, [request], connections=CONNECTIONS, seconds=load_seconds)
        goals = [
            Goal("p95_ms", "<", 150, " ms"),
            Goal("page_kb", "<", 150, " kB"),
            Goal("extra_queries", "==", 0),
        ]
        line = row(f"admin list 100k: {name}", load, result, floor, goals)
        line.extra.update(
            page_kb=round(len(page.content) / 1000, 1),
            queries=data["large"][url],
            queries_at_10=data["small"][url],
            extra_queries=data["large"][url] - data["small"][url],
            url=url,
        )
        rows.append(line)
    return rows
