"""Playwright driving Debian's headless Chromium (the session-wide `browser` of tests/conftest.py, which
skips with a clear message when Chromium is missing) against a live server on Acme's host.

The live server needs committed data (transactional database). pytest-django's flush only reaches the
public schema, so `acme_rows` deletes whatever the test added to Acme's schema afterwards: nothing a
browser test writes leaks into later tests or later runs (`--reuse-db`).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.admin.catalogue import compile_catalogue
from tests.conftest import CHROMIUM as CHROMIUM_PATH
from tests.conftest import CHROMIUM_ARGS  # noqa: F401  (re-exported: other apps' browser tests import it here)

CHROMIUM = Path(CHROMIUM_PATH)
SCREENSHOTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
PASSWORD = "demo12345"


@pytest.fixture(scope="session")
def _compiled_catalogue(tmp_path_factory):
    return compile_catalogue(tmp_path_factory.mktemp("locale"))


@pytest.fixture(autouse=True)
def _german_catalogue(_compiled_catalogue):
    """The German UI comes from the catalogue in the tree (see tests/admin/catalogue.py)."""
    with override_settings(LOCALE_PATHS=[_compiled_catalogue]):
        yield


def _tenant_tables(schema: str) -> list[tuple[str, bool]]:
    """(table, has an integer `id`) for every table of the schema."""
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


def _snapshot(schema: str) -> dict[str, object]:
    marks: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table, has_id in _tenant_tables(schema):
            if has_id:
                cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{schema}"."{table}"')
                marks[table] = cursor.fetchone()[0]
            elif table == "django_session":
                cursor.execute(f'SELECT session_key FROM "{schema}"."{table}"')
                marks[table] = {row[0] for row in cursor.fetchall()}
    return marks


def _delete_added_rows(schema: str, marks: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK ordering needed for the clean-up
        try:
            for table, mark in marks.items():
                if table == "django_session":
                    cursor.execute(
                        f'DELETE FROM "{schema}"."{table}" WHERE NOT (session_key = ANY(%s))', [list(mark)]
                    )
                else:
                    cursor.execute(f'DELETE FROM "{schema}"."{table}" WHERE id > %s', [mark])
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def acme_rows(company) -> Iterator[None]:
    marks = _snapshot(company.schema_name)
    yield
    with schema_context(company.schema_name):
        _delete_added_rows(company.schema_name, marks)
        cache.clear()


@pytest.fixture
def acme_url(live_server, company, acme_rows):
    """`acme_url("/admin/")` → http://acme.localhost:<port>/admin/ on the live server."""
    port = live_server.url.rsplit(":", 1)[-1]
    return lambda path: f"http://{company.schema_name}.localhost:{port}{path}"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, url: str, username: str) -> None:
    page.goto(url("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda current: current.endswith("/admin/"))  # straight to the dashboard
