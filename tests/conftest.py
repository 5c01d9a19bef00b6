"""Session-wide test tenants; the personas used across the suite are in tests/personas.py.

Two companies exist for the whole session (their schemas are created once): `acme` is where most tests
live; `globex` is the other company, where Eve works, for isolation tests.
"""

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import get_public_schema_name

from tenants.models import Company, Domain

pytest_plugins = ["tests.personas"]

TENANTS = {"acme": "Acme Praxis", "globex": "Globex Salon"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Twilio's address is a platform setting (a company cannot set it), so the worker process is started with
# it; tests that send SMS through the worker start their Twilio stand-in on this port.
WORKER_TWILIO_PORT = _free_port()


def tenant_host(schema: str) -> str:
    return f"{schema}.localhost"


def ensure_test_tenants() -> dict[str, Company]:
    """Create the public tenant and the two test companies when missing (cheap when they exist).

    Transactional tests flush the public tables, so this is called again by the fixtures; the schemas
    themselves survive a flush and are not rebuilt.
    """
    connection.set_schema_to_public()
    public, _ = Company.objects.get_or_create(
        schema_name="public", defaults={"name": "Platform", "slug": "public"}
    )
    Domain.objects.get_or_create(domain="localhost", defaults={"tenant": public, "is_primary": True})
    companies = {}
    for schema, name in TENANTS.items():
        company = Company.objects.filter(schema_name=schema).first()
        if company is None:
            company = Company(schema_name=schema, slug=schema, name=name)
            company.save(verbosity=0)
        Domain.objects.get_or_create(
            domain=tenant_host(schema), defaults={"tenant": company, "is_primary": True}
        )
        companies[schema] = company
    return companies


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_test_tenants()


@pytest.fixture
def companies(db) -> dict[str, Company]:
    return ensure_test_tenants()


@pytest.fixture
def public(companies):
    connection.set_schema_to_public()
    yield companies
    connection.set_schema_to_public()


@pytest.fixture
def company(companies):
    """Acme: the connection is switched into its schema for the test."""
    acme = companies["acme"]
    connection.set_tenant(acme)
    yield acme
    connection.set_schema_to_public()


@pytest.fixture
def other_company(companies) -> Company:
    """Globex: another company. Switch into it with `tenant_context(other_company)`."""
    return companies["globex"]


@pytest.fixture
def tenant_client(company) -> Client:
    return Client(HTTP_HOST=tenant_host(company.schema_name))


@pytest.fixture
def client_for():
    def make(company: Company) -> Client:
        return Client(HTTP_HOST=tenant_host(company.schema_name))

    return make


@pytest.fixture
def public_client(public) -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def company_settings(company):
    """`company_settings(KEY=value)` overrides Acme's settings for one test (in memory; the tenant object is
    re-read per test)."""
    original = dict(company.settings or {})

    def override(**values):
        company.settings = {**original, **values}

    yield override
    company.settings = original


def _tenant_tables(schema: str) -> list[tuple[str, bool]]:
    """(table, has an integer `id`) for every table of a tenant schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.table_name,
                   EXISTS (SELECT 1 FROM information_schema.columns c
                           WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                             AND c.column_name = 'id' AND c.data_type IN ('bigint', 'integer'))
            FROM information_schema.tables t
            WHERE t.table_schema = %s AND t.table_type = 'BASE TABLE'
            """,
            [schema],
        )
        return list(cursor.fetchall())


def _row_marks(schema: str) -> dict[str, object]:
    """The highest id of each table (session keys for the session table) before a test."""
    marks: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table, has_id in _tenant_tables(schema):
            if has_id:
                cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{schema}"."{table}"')
                marks[table] = cursor.fetchone()[0]
            elif table == "django_session":
                cursor.execute(f'SELECT session_key FROM "{schema}"."{table}"')
                marks[table] = [row[0] for row in cursor.fetchall()]
    return marks


def _delete_rows_added_since(schema: str, marks: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no foreign-key ordering needed here
        try:
            for table, mark in marks.items():
                if table == "django_session":
                    cursor.execute(
                        f'DELETE FROM "{schema}"."{table}" WHERE NOT (session_key = ANY(%s))', [mark]
                    )
                else:
                    cursor.execute(f'DELETE FROM "{schema}"."{table}" WHERE id > %s', [mark])
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture(autouse=True)
def _tenant_rows_of_transactional_tests_removed(request):
    """A transactional test commits; pytest-django's flush then empties only the public schema. Rows the
    test added to the company schemas are deleted here, so nothing leaks into later tests."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        marker is not None and marker.kwargs.get("transaction")
    ) or "live_server" in request.fixturenames
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    ensure_test_tenants()
    marks = {schema: _row_marks(schema) for schema in TENANTS}
    yield
    connection.set_schema_to_public()
    for schema, schema_marks in marks.items():
        _delete_rows_added_since(schema, schema_marks)


@pytest.fixture(autouse=True)
def _english_unless_a_test_asks_otherwise():
    """Code outside a request speaks English in tests; tests of the German UI switch explicitly."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Redis outlives each test's rolled-back transaction: nothing cached in one test reaches the next."""
    yield
    from django.core.cache import cache

    from common.redis import redis_reset

    redis_reset()  # a test that failed Redis on purpose does not leave the next one skipping it
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    """No test leaks its schema into the next one."""
    yield
    if connection.schema_name != get_public_schema_name():
        connection.set_schema_to_public()


def database_url(db: dict) -> str:
    """The URL of the test database, for processes we start (a Unix socket directory is percent-encoded)."""
    from urllib.parse import quote

    host = quote(db["HOST"], safe="") if (db["HOST"] or "").startswith("/") else (db["HOST"] or "127.0.0.1")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}{port}/{db['NAME']}"


@pytest.fixture(scope="session")
def _celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on Redis, using the test database, on a queue of its own."""
    import os
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from django.conf import settings as django_settings

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_TENANT_CACHE_SECONDS": "0",  # each test's company settings reach the worker at once
        "SWITCHBOARD_NOTIFICATION_TWILIO_API_BASE_URL": json.dumps(f"http://127.0.0.1:{WORKER_TWILIO_PORT}"),
    }
    log = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / f"celery-worker-{queue}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    worker.queue = queue
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.fixture
def celery_worker_process(_celery_worker):
    """The session's worker, with tasks sent to it instead of run eagerly for this one test only.

    The worker process lives for the session (starting one takes seconds); the switch away from eager
    tasks must not, or every later test would send its tasks to the worker instead of running them.
    """
    from config.celery import app

    previous_queue, previous_eager = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = _celery_worker.queue, False
    try:
        yield _celery_worker
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = previous_queue, previous_eager


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session, driven by Playwright's sync API.

    Every browser test takes its pages from this one instance: two sync Playwright drivers cannot run in
    one thread at the same time.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse database
    # access from the test code, which does no async work itself.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port, and Django sending mail to it."""
    from tests.notifications.fakes import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()
