"""PgBouncer in transaction pooling in front of PostgreSQL (issue 16, item 7; docs/scaling.md, "PgBouncer").

Two companies, `alpha` and `beta`, on one throwaway PostgreSQL behind Debian's `pgbouncer` (pool_mode =
transaction, a pool of three server connections, so consecutive transactions of one client land on
different server connections). gunicorn (4 workers, production settings) and a Celery worker connect
through it with DATABASE_POOL_MODE=transaction; migrations and the checks below go to PostgreSQL directly.

Both companies are driven at once, interleaved: Retell's signed `call_ended` deliveries to each company's
number, and each company's manager paging through the callback list in the admin. A statement run in the
schema another client left on a server connection would put one company's event or call into the other's
schema, or show one company's callbacks on the other's list. Expected: every delivery accepted, every
accepted event stored in its own company's schema and processed there exactly once, and each list showing
only its own company's callbacks.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from integrations.retell.signature import sign
from scripts.bench.stack import Stack
from tests.drills.conftest import (
    ARTIFACTS,
    Postgres,
    RedisServer,
    _stack_env,
    call_payload,
    free_port,
    wait_until,
)

pytestmark = [
    pytest.mark.drill,
    pytest.mark.skipif(
        shutil.which("pgbouncer") is None and not Path("/usr/sbin/pgbouncer").exists(),
        reason="needs Debian's pgbouncer (apt-get install pgbouncer; .ci/run installs it)",
    ),
]

COMPANIES = {"alpha": "+4930555021", "beta": "+4930555022"}
DELIVERIES_PER_COMPANY = 80
LIST_VIEWS_PER_COMPANY = 40
CALLBACKS_PER_COMPANY = 8
THREADS = 8
LIST = "/admin/callbacks/callbackrequest/"

PROVISION = """
import json
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context
from callbacks.models import CallbackRequest
from org.models import Branch, Role
from tenants.services import company_provision, phone_route_add
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.org import StaffFactory

cookies = {}
for slug, number in COMPANIES.items():
    company = company_provision(slug=slug, name=slug.title() + " Praxis").company
    company.retell_api_key = "key_" + slug + "_pgbouncer"
    company.save(update_fields=["retell_api_key"])
    with tenant_context(company):
        branch = Branch.objects.create(name=slug.title() + " Mitte")
        manager = StaffFactory(name=slug.title() + " Manager", role=Role.MANAGER, branches=[branch])
        for n in range(CALLBACKS):
            CallbackRequestFactory(branch=branch, customer_name=f"{slug.title()}kundin {n}")
        client = Client(HTTP_HOST=slug + ".localhost", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(manager.user)
    phone_route_add(company=company, number=number, branch_id=branch.pk)
    cookies[slug] = settings.SESSION_COOKIE_NAME + "=" + client.cookies[settings.SESSION_COOKIE_NAME].value
print("PGBOUNCER_COOKIES " + json.dumps(cookies))
"""


class PgBouncer:
    """Debian's pgbouncer on a free port in front of `postgres`, in transaction pooling, no authentication
    (auth_type = any: every client logs in as the configured user). As root it drops to PostgreSQL's user."""

    def __init__(self, postgres: Postgres) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sb-pgbouncer-"))
        self.log = ARTIFACTS / f"pgbouncer-{self.port}.log"
        self.log.touch()
        user = f"user = {postgres.user}\n" if postgres.user else ""
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={postgres.port} user=postgres\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"logfile = {self.log}\nauth_type = any\npool_mode = transaction\n"
            "default_pool_size = 3\nmax_client_conn = 200\n"
            f"ignore_startup_parameters = extra_float_digits\n{user}"
        )
        if postgres.user:
            entry = pwd.getpwnam(postgres.user)
            for path in (self.dir, self.dir / "pgbouncer.ini", self.log):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen([binary, str(self.dir / "pgbouncer.ini")], stdout=self.log.open("a"))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{postgres.url.rsplit('/', 1)[1]}"
        wait_until(self.answers, "pgbouncer answers", seconds=20)

    def answers(self) -> bool:
        import psycopg

        assert self.process.poll() is None, f"pgbouncer exited; see {self.log}"
        try:
            with psycopg.connect(self.url, connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def bounced() -> Iterator[tuple[Stack, dict[str, str]]]:
    """The stack migrated and provisioned directly, then gunicorn and a worker started through pgbouncer;
    yields it and each company manager's session cookie."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    postgres, redis_server = Postgres(), RedisServer()
    prometheus_dir = tempfile.mkdtemp(prefix="sb-pgbouncer-prometheus-")
    stack = Stack(postgres, redis_server, _stack_env(postgres, redis_server, prometheus_dir))
    bouncer = None
    try:
        stack.manage("migrate_schemas", "--shared", "-v", "0")
        constants = f"COMPANIES, CALLBACKS = {COMPANIES!r}, {CALLBACKS_PER_COMPANY}\n"
        output = stack.python(constants + PROVISION)
        line = next(line for line in output.splitlines() if line.startswith("PGBOUNCER_COOKIES "))
        bouncer = PgBouncer(postgres)
        stack.env = {**stack.env, "DATABASE_URL": bouncer.url, "DATABASE_POOL_MODE": "transaction"}
        stack.start_web()
        stack.start_worker()
        yield stack, json.loads(line.removeprefix("PGBOUNCER_COOKIES "))
    finally:
        stack.stop()  # gunicorn, the worker, Redis and PostgreSQL
        if bouncer is not None:
            bouncer.stop()
        shutil.rmtree(prometheus_dir, ignore_errors=True)


def _deliver(stack: Stack, company: str, index: int) -> tuple[str, str, int]:
    """Retell's `call_ended` of a new call to the company's number (the number decides the company)."""
    call = call_payload(f"{company}_{index:04d}", caller=f"+49152{index:08d}", to_number=COMPANIES[company])
    body = json.dumps({"event": "call_ended", "call": call}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
        "Host": "localhost",
        "X-Retell-Signature": sign(body, f"key_{company}_pgbouncer"),
    }
    response = httpx.post(stack.url + "/webhooks/retell/", content=body, headers=headers, timeout=30)
    return "deliver", company, response.status_code


def _list(stack: Stack, cookies: dict[str, str], company: str) -> tuple[str, str, int, str]:
    headers = {"Host": f"{company}.localhost", "X-Forwarded-Proto": "https", "Cookie": cookies[company]}
    response = httpx.get(stack.url + LIST, headers=headers, timeout=30)
    return "list", company, response.status_code, response.text


def _events(stack: Stack, schema: str) -> list[tuple[str, str, int]]:
    return stack.sql("SELECT external_id, status, attempts FROM integrations_webhookevent", schema=schema)


def test_two_companies_through_transaction_pooling_never_see_each_others_rows(bounced):
    stack, cookies = bounced
    jobs = []
    for index in range(max(DELIVERIES_PER_COMPANY, LIST_VIEWS_PER_COMPANY)):
        for company in COMPANIES:  # interleaved: alpha, beta, alpha, beta ...
            if index < DELIVERIES_PER_COMPANY:
                jobs.append((_deliver, (stack, company, index)))
            if index < LIST_VIEWS_PER_COMPANY:
                jobs.append((_list, (stack, cookies, company)))
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda job: job[0](*job[1]), jobs))

    deliveries = [answer for answer in answers if answer[0] == "deliver"]
    assert [status for *_, status in deliveries if status != 204] == []
    for _, company, status, page in (answer for answer in answers if answer[0] == "list"):
        other = next(name for name in COMPANIES if name != company)
        assert status == 200
        assert f"{company.title()}kundin" in page
        assert f"{other.title()}kundin" not in page, f"{other}'s callbacks on {company}'s list"

    for company in COMPANIES:
        wait_until(
            lambda schema=company: all(status == "processed" for _, status, _ in _events(stack, schema)),
            f"the worker processed {company}'s events",
        )
    for company in COMPANIES:
        events = _events(stack, company)
        assert sorted(external_id for external_id, *_ in events) == [
            f"{company}_{index:04d}" for index in range(DELIVERIES_PER_COMPANY)
        ], f"{company}'s schema holds exactly its own events"
        assert {(status, attempts) for _, status, attempts in events} == {("processed", 1)}
        calls = stack.sql("SELECT retell_call_id FROM calls_call", schema=company)
        assert sorted(call_id for (call_id,) in calls) == sorted(external_id for external_id, *_ in events)
