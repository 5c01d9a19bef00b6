"""In German Chromium at 1440×900 and on a phone (390×844): Max, a manager, opens an escalation from his
dashboard, marks it as seen and resolves it with a note, which the escalation then shows.
Screenshots: test-artifacts/screenshots/escalation-<device>-*.png."""

import pytest

from callbacks import services
from callbacks.models import CallbackEscalation
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def escalation(company, mitte, anna, max_manager) -> CallbackEscalation:
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Erna Eskaliert")
    return services.callback_escalate(callback=callback, reason="manual", by=max_manager.user)


def test_a_manager_acknowledges_and_resolves_an_escalation_with_a_note(page, acme_url, escalation, device):
    detail = f"/admin/callbacks/callbackescalation/{escalation.pk}/change/"
    log_in(page, acme_url, "max@acme.test")
    page.locator(f'a[href$="{detail}"]').first.click()  # the dashboard's open escalations link to each
    page.wait_for_url(f"**{detail}")
    screenshot(page, f"escalation-{device}-1-detail")
    assert_fits_the_screen(page)

    seen = page.locator("a:visible", has_text="Als gesehen markieren").first  # on a phone: above the record
    assert_in_view_and_clickable(seen)
    seen.click()
    page.get_by_test_id("action-submit").click()
    page.wait_for_url(f"**{detail}")

    page.locator("a:visible", has_text="Erledigen").first.click()
    page.get_by_label("Was getan wurde").fill("Kundin zurückgerufen, Termin vereinbart")
    screenshot(page, f"escalation-{device}-2-resolve")
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(page.get_by_test_id("action-submit"))
    page.get_by_test_id("action-submit").click()
    page.wait_for_url(f"**{detail}")
    screenshot(page, f"escalation-{device}-3-resolved")

    assert "Kundin zurückgerufen, Termin vereinbart" in page.inner_text("body")
    escalation.refresh_from_db()
    assert escalation.resolved_at is not None and escalation.metadata["acknowledged_by"] == "Max"
