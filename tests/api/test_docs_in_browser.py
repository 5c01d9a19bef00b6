"""The interactive API docs render in Chromium under the Content-Security-Policy, with no violation."""

import pytest

from tests.browser.conftest import acme_rows, acme_url, page  # noqa: F401 (fixtures)
from tests.browser.test_content_security_policy import visit_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_the_schema_under_the_policy(page, acme_url):  # noqa: F811
    base = acme_url("").rstrip("/")

    on_load = visit_all(page, base, ["/api/v1/docs/"])

    page.wait_for_selector("#swagger-ui .info .title")
    assert "Switchboard API" in page.inner_text("#swagger-ui .info .title")
    assert page.locator("#operations-tag-callbacks").count() == 1
    assert on_load == []
    assert page.evaluate("window.__cspViolations") == []  # nor while the UI rendered the schema
