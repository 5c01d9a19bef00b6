"""In German Chromium at 1440×900 and on a phone (390×844): Max filters the callback list, saves it as
"Offen Mitte" with "Ansicht speichern", finds it above the list on his next visit, opens the list through
it, and deletes it. Screenshots: test-artifacts/screenshots/saved-views-<device>-*.png."""

import pytest

from org.models import SavedView
from org.services import saved_view_save
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/admin/callbacks/callbackrequest/"


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def worklist(company, mitte, haircut, anna, max_manager):
    CallbackRequestFactory(branch=mitte, service=haircut, customer_name="Paula Offen")
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Lena Zugewiesen")


def test_a_manager_saves_a_filtered_list_and_opens_it_again(page, acme_url, worklist, max_manager, device):
    log_in(page, acme_url, "max@acme.test")
    page.goto(acme_url(f"{LIST}?status__exact=pending"))
    save = page.get_by_test_id("save-view")
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(save.get_by_role("button", name="Ansicht speichern"))

    save.get_by_role("textbox", name="Name der Ansicht").fill("Offen Mitte")
    screenshot(page, f"saved-views-{device}-1-save")
    save.get_by_role("button", name="Ansicht speichern").click()
    page.wait_for_url(f"**{LIST}?status__exact=pending")
    assert "Ansicht „Offen Mitte“ gespeichert." in page.inner_text("body")
    assert SavedView.objects.get(user=max_manager.user).query == "status__exact=pending"

    page.goto(acme_url(LIST))  # the whole list again, then back through the saved view
    assert "Lena Zugewiesen" in page.locator("#result_list").inner_text()
    link = page.get_by_test_id("saved-view").get_by_role("link", name="Offen Mitte")
    assert_in_view_and_clickable(link)
    link.click()
    page.wait_for_url(f"**{LIST}?status__exact=pending")
    rows = page.locator("#result_list").inner_text()
    screenshot(page, f"saved-views-{device}-2-opened")
    assert "Paula Offen" in rows and "Lena Zugewiesen" not in rows
    assert_fits_the_screen(page)

    page.get_by_test_id("saved-view-delete").click()
    page.wait_for_url(f"**{LIST}")
    assert "Ansicht „Offen Mitte“ gelöscht." in page.inner_text("body")
    assert page.get_by_test_id("saved-view").count() == 0 and not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("list_name", "list_url"),
    [("appointments.appointment", "/admin/appointments/appointment/"), ("calls.call", "/admin/calls/call/")],
)
def test_the_appointment_and_call_lists_show_saved_views_within_the_screen(
    page, acme_url, ada, list_name, list_url, device
):
    saved_view_save(user=ada.user, list_name=list_name, name="Neueste zuerst", query="o=-1", parameters={"o"})
    log_in(page, acme_url, "ada@acme.test")
    page.goto(acme_url(list_url))
    link = page.get_by_test_id("saved-view").get_by_role("link", name="Neueste zuerst")
    screenshot(page, f"saved-views-{device}-{list_name.split('.')[1]}")

    assert_fits_the_screen(page)
    assert_in_view_and_clickable(link)
    link.click()
    page.wait_for_url(f"**{list_url}?o=-1")
    assert_in_view_and_clickable(
        page.get_by_test_id("save-view").get_by_role("button", name="Ansicht speichern")
    )
