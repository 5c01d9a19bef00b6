"""Every admin page works under the Content-Security-Policy: Ada (Acme's admin) opens the dashboard, each
list, each add form, a change form and the two-factor setup; the platform admin does the same on the
platform host. Any violation the browser reports fails the test."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from tenants.admin import platform_site
from tests.browser.conftest import PASSWORD
from tests.factories.callbacks import CallbackRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script: the browser reports each blocked resource or inline code as an event.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def admin_pages(site, urlconf: str) -> list[str]:
    """The index, and the list and the add form of every model registered on `site`."""
    pages = [reverse(f"{site.name}:index", urlconf=urlconf)]
    for model in site._registry:
        prefix = f"{site.name}:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist", urlconf=urlconf))
        pages.append(reverse(f"{prefix}_add", urlconf=urlconf))
    return pages


def violations_on(page, url: str) -> list[str]:
    page.goto(url)  # waits for the load event: Alpine has started, htmx has run, images have loaded
    return [f"{url}: {v}" for v in page.evaluate("window.__cspViolations")]


def log_in_at(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def csp_console_errors(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return messages


def visit_all(page, base: str, paths: list[str]) -> list[str]:
    page.add_init_script(RECORD_VIOLATIONS)
    console = csp_console_errors(page)
    found = [violation for path in paths for violation in violations_on(page, f"{base}{path}")]
    return found + console


def test_every_company_admin_page_works_under_the_policy(page, acme_url, company, mitte, ada):
    callback = CallbackRequestFactory(branch=mitte, customer_name="Clara Kundin")
    base = acme_url("").rstrip("/")
    log_in_at(page, base, ada.user.username)

    change_form = f"/admin/callbacks/callbackrequest/{callback.pk}/change/"
    paths = [*admin_pages(admin.site, "config.urls_tenant"), change_form, "/admin/two-factor/"]
    violations = visit_all(page, base, paths)

    assert violations == []


def test_every_platform_admin_page_works_under_the_policy(page, live_server, public):
    User.objects.create_superuser("root.csp@platform.test", "root@platform.test", PASSWORD)
    base = live_server.url.replace("127.0.0.1", "localhost")
    log_in_at(page, base, "root.csp@platform.test")

    change_form = f"/admin/tenants/company/{public['acme'].pk}/change/"
    paths = [*admin_pages(platform_site, "config.urls_public"), change_form, "/admin/two-factor/"]
    violations = visit_all(page, base, paths)

    assert violations == []
