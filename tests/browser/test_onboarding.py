"""From "new company" to its first admin logged in, in Chromium: the platform admin adds the company with
its first admin, the invitation arrives at a real SMTP server, its link sets a password on the company's
own host, and the admin lands on their dashboard. The time it takes is printed (and not asserted).

The company's schema is committed (a live server), so it is dropped before and after the test.
"""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection

from tests.browser.conftest import PASSWORD, log_in, screenshot
from tests.notifications.fakes import SmtpServer

SLUG = "onboardtest"
NEW_PASSWORD = "Praxis-Olga-2026!"


def _drop_schema() -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SLUG}" CASCADE')


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.fixture
def platform_url(live_server, public):
    _drop_schema()
    User.objects.create_superuser("root@platform.test", "root@platform.test", PASSWORD)
    port = live_server.url.rsplit(":", 1)[-1]
    yield lambda path: f"http://localhost:{port}{path}"
    _drop_schema()


def test_from_new_company_to_its_admin_logged_in(page, browser, platform_url, smtp):
    log_in(page, platform_url, "root@platform.test")
    started = time.monotonic()
    page.goto(platform_url("/admin/tenants/company/add/"))
    page.fill("#id_name", "Praxis Olga")
    page.fill("#id_slug", SLUG)
    page.fill("#id_admin_name", "Olga Orthmann")
    page.fill("#id_admin_email", "olga@olga.test")
    screenshot(page, "onboarding-1-new-company")
    page.click("button[name=_save], input[name=_save]", no_wait_after=True)
    # A new schema is migrated meanwhile: seconds, more on a busy machine.
    page.wait_for_url(re.compile(r"/admin/tenants/company/$"), timeout=180_000)
    assert "olga@olga.test" in page.inner_text("body")  # the message names who was invited
    screenshot(page, "onboarding-2-company-created")

    [email] = smtp.received
    link = re.search(r"http://\S+/password/\S+/", email.body("plain")).group(0)
    assert link.startswith(f"http://{SLUG}.localhost:")
    page.goto(link)
    page.wait_for_selector("#password-set")
    screenshot(page, "onboarding-3-choose-password")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("#password-set button[type=submit]")
    page.wait_for_url(f"http://{SLUG}.localhost:*/admin/")
    elapsed = time.monotonic() - started
    screenshot(page, "onboarding-4-admin-dashboard")
    assert "Olga Orthmann" in page.inner_text("body")  # the dashboard lists her among the staff
    print(f"\nonboarding: new company to its admin logged in: {elapsed:.1f} s")

    page.goto(link)  # the link worked once
    page.wait_for_selector("#password-set-invalid")
    phone = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(link)
    phone.wait_for_selector("#password-set-invalid")
    screenshot(phone, "onboarding-5-link-used-phone")
    phone.context.close()
