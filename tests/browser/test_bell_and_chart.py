"""In Chromium at 1440×900 and on a phone (390×844): the header's bell shows the unread in-app notifications
and leads to each; the dashboard's chart has a date axis and fits the screen.
Screenshots: test-artifacts/screenshots/bell-*-<device>.png, dashboard-chart-<device>.png."""

import pytest

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.tasks import send_delivery
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def assigned_to_anna(company, acme_url, mitte, anna, max_manager):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Clara Glocke")
    emit("callback.assigned", callback=callback)
    for row in NotificationDelivery.objects.filter(channel="in_app", sent_at__isnull=True):
        send_delivery(row.pk)
    return callback


def test_the_bell_shows_unread_notifications_and_leads_to_the_callback(
    page, acme_url, assigned_to_anna, device
):
    log_in(page, acme_url, "anna@acme.test")
    bell = page.get_by_test_id("bell")
    count = bell.locator("[data-bell-count]")
    count.wait_for(state="visible")

    assert count.inner_text() == "1"
    bell.get_by_role("button").click()
    item = bell.get_by_role("link", name="Clara Glocke")
    item.wait_for(state="visible")
    screenshot(page, f"bell-open-{device}")
    assert bell.get_by_text("Alle Benachrichtigungen").is_visible()
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(item)

    item.click()
    page.wait_for_url(f"**/admin/callbacks/callbackrequest/{assigned_to_anna.pk}/change/")
    screenshot(page, f"bell-callback-{device}")


def test_the_dashboard_chart_has_a_date_axis(page, acme_url, assigned_to_anna, device):
    log_in(page, acme_url, "max@acme.test")
    chart = page.get_by_test_id("chart-svg")
    chart.scroll_into_view_if_needed()

    labels = chart.locator("[data-axis=x]").all_text_contents()
    box = chart.bounding_box()
    screenshot(page, f"dashboard-chart-{device}")

    assert len(labels) == 7 and all(len(text) == 6 and text[2] == "." for text in labels)  # dd.mm.
    assert chart.locator("[data-axis=y]").count() >= 2
    assert_fits_the_screen(page)
    if device == "desktop":
        assert box["width"] > 600  # drawn at full width at 1440 px
    else:
        assert box["width"] > 300 and box["x"] + box["width"] <= 390  # the phone's full width, not beyond
