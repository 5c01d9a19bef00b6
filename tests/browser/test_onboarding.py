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

SLUGS = {"desktop": "onboardtest", "phone": "onboardphone"}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
NEW_PASSWORD = "Praxis-Olga-2026!"


def _drop_schemas() -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for slug in SLUGS.values():
            cursor.execute(f'DROP SCHEMA IF EXISTS "{slug}" CASCADE')


@pytest.fixture
def platform_url(live_server, public):
    _drop_schemas()
    User.objects.create_superuser("root@platform.test", "root@platform.test", PASSWORD)
    port = live_server.url.rsplit(":", 1)[-1]
    yield lambda path: f"http://localhost:{port}{path}"
    _drop_schemas()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_from_new_company_to_its_admin_logged_in(browser, platform_url, smtp, device):
    slug = SLUGS[device]
    context = browser.new_context(locale="de-DE", viewport=VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, platform_url, "root@platform.test")
    started = time.monotonic()
    page.goto(platform_url("/admin/tenants/company/add/"))
    page.fill("#id_name", "Praxis Olga")
    page.fill("#id_slug", slug)
    page.fill("#id_admin_name", "Olga Orthmann")
    page.fill("#id_admin_email", "olga@olga.test")
    screenshot(page, f"onboarding-{device}-1-new-company")
    page.click("button[name=_save], input[name=_save]", no_wait_after=True)
    # A new schema is migrated meanwhile: seconds, more on a busy machine.
    page.wait_for_url(re.compile(r"/admin/tenants/company/$"), timeout=180_000)
    assert "olga@olga.test" in page.inner_text("body")  # the message names who was invited
    screenshot(page, f"onboarding-{device}-2-company-created")

    [email] = smtp.received
    link = re.search(r"http://\S+/password/\S+/", email.body("plain")).group(0)
    assert link.startswith(f"http://{slug}.localhost:")
    page.goto(link)
    page.wait_for_selector("#password-set")
    screenshot(page, f"onboarding-{device}-3-choose-password")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("#password-set button[type=submit]")
    page.wait_for_url(f"http://{slug}.localhost:*/admin/")
    elapsed = time.monotonic() - started
    screenshot(page, f"onboarding-{device}-4-admin-dashboard")
    assert "Olga Orthmann" in page.inner_text("body")  # the dashboard lists her among the staff
    print(f"\nonboarding ({device}): new company to its admin logged in: {elapsed:.1f} s")

    page.goto(link)  # the link worked once
    page.wait_for_selector("#password-set-invalid")
    screenshot(page, f"onboarding-{device}-5-link-used")
    context.close()
