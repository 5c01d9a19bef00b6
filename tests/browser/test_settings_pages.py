"""In Chromium at 1440×900 and on a phone (390×844), in German: Ada's settings page (typed fields, secrets
"gesetzt / nicht gesetzt", "Verbindung testen") and a branch's opening hours as a week grid copied to Monday
to Friday, with screenshots of both (settings-page-<device>.png, opening-hours-grid-<device>.png)."""

import pytest
from django.db import connection

from org.models import OpeningHours
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ada_reads_her_settings_and_tests_the_mail_connection(page, acme_url, company, ada, device):
    company.calcom_api_key = "cal_live_secret_123"
    company.save()
    log_in(page, acme_url, "ada@acme.test")

    page.goto(acme_url(f"/admin/tenants/company/{company.pk}/change/"))
    calcom = page.locator('[data-secret="calcom_api_key"]').inner_text()
    retell = page.locator('[data-secret="retell_api_key"]').inner_text()
    language = page.locator("select[name=language] option:checked").inner_text()
    assert page.locator("textarea[name=settings]").count() == 0
    screenshot(page, f"settings-page-{device}")
    assert_fits_the_screen(page)
    test_mail = page.locator("#connection-tests").get_by_role("button", name="E-Mail")
    assert_in_view_and_clickable(test_mail)
    test_mail.click()
    page.wait_for_url(f"**/tenants/company/{company.pk}/change/")

    assert "gesetzt" in calcom and "nicht gesetzt" not in calcom and "nicht gesetzt" in retell
    assert "cal_live_secret_123" not in page.content()
    assert language == "Deutsch"
    assert "E-Mail: Verbindung steht" in page.content()


def test_ada_gives_a_branch_a_lunch_break_from_monday_to_friday(page, acme_url, company, ada, mitte, device):
    log_in(page, acme_url, "ada@acme.test")
    page.goto(acme_url(f"/admin/org/branch/{mitte.pk}/change/"))

    page.fill("input[name=hours_0]", "08:00–12:00, 14:00–18:00")
    page.check("input[name=copy_to_workdays]")
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(page.locator("button[name=_continue]"))
    page.click("button[name=_continue]")
    page.wait_for_url(f"**/org/branch/{mitte.pk}/change/")
    screenshot(page, f"opening-hours-grid-{device}")

    assert page.input_value("input[name=hours_4]") == "08:00–12:00, 14:00–18:00"
    assert page.input_value("input[name=hours_5]") == ""
    connection.set_tenant(company)
    assert OpeningHours.objects.filter(branch=mitte).count() == 10
