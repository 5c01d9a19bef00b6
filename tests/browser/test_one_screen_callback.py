"""Staff in a hurry, in German Chromium at 1440×900 and on a phone (390×844): from the list to a completed
callback in at most three clicks, the one screen with the caller, the ticking deadline and the summary, the
row actions in view, the keys, and a phone card of at most four lines."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, ContactAttempt
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.calls import CallFactory
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/admin/callbacks/callbackrequest/"
AMBER, RED = "rgb(180, 83, 9)", "rgb(220, 38, 38)"
# Before (issue 13): 16 clicks and 9 page loads from the dashboard (open, "Zuweisen", pick oneself, save,
# "Kontaktversuch erfassen", change the outcome, note, save, "Als erledigt markieren", closing note, save …).
MAX_CLICKS = 3


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def worklist(company, mitte, haircut, anna):
    now = timezone.now()
    call = CallFactory(
        branch=mitte,
        status="ended",
        summary="Frau Kundin möchte ihren Termin am Freitag auf nächste Woche verschieben.",
        transcript="Agent: Guten Tag!\nKundin: Ich muss meinen Termin verschieben.",
    )
    return {
        "pending": CallbackRequestFactory(
            branch=mitte,
            service=haircut,
            customer_name="Paula Offen",
            phone="+4930123456",
            call=call,
            expires_at=now + timedelta(minutes=40),
        ),
        "mine_later": AssignedCallbackFactory(
            branch=mitte,
            assigned_to=anna,
            customer_name="Lena Später",
            phone="+4930123457",
            expires_at=now + timedelta(hours=6),
        ),
        "mine_overdue": AssignedCallbackFactory(
            branch=mitte,
            assigned_to=anna,
            customer_name="Otto Überfällig",
            phone="+4930123458",
            expires_at=now - timedelta(minutes=30),
        ),
    }


class Clicks:
    """Counts what a person clicks (each click a deliberate step; typing a note would not count)."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()


def row_of(page, name: str):
    return page.locator("#result_list tr.data-row", has_text=name)


def test_from_the_list_to_a_completed_callback_in_at_most_three_clicks(page, acme_url, worklist, anna):
    pending = worklist["pending"]
    log_in(page, acme_url, "anna@acme.test")
    page.goto(acme_url(LIST))
    screenshot(page, "one-screen-list-1440")
    clicks = Clicks(page)

    clicks.click(row_of(page, "Paula Offen").get_by_role("button", name="Übernehmen"))
    page.wait_for_url(f"**/callbackrequest/{pending.pk}/change/")
    header = page.locator("[data-testid=one-screen]")
    screenshot(page, "one-screen-callback-taken-1440")
    assert "Paula Offen" in header.inner_text()
    assert page.locator("[data-testid=caller-phone]").get_attribute("href") == "tel:+4930123456"
    assert "030 123456" in page.locator("[data-testid=caller-phone]").inner_text()
    assert "Termin am Freitag" in page.locator("[data-testid=summary]").inner_text()
    assert not page.locator("[data-testid=transcript]").evaluate("el => el.open")  # folded
    assert page.locator("[data-testid=take]").count() == 0  # taken: no second "Übernehmen"

    clicks.click(page.get_by_role("button", name="Erreicht – erledigt"))
    page.wait_for_url(f"**{LIST}")
    screenshot(page, "one-screen-completed-1440")

    assert clicks.count <= MAX_CLICKS, f"{clicks.count} clicks from the list to a completed callback"
    callback = CallbackRequest.objects.get(pk=pending.pk)
    assert (callback.status, callback.assigned_to) == (CallbackRequest.Status.COMPLETED, anna)
    assert ContactAttempt.objects.get(callback=callback).outcome == "reached"
    assert f"Rückruf #{pending.pk}: erledigt." in page.locator("body").inner_text()


def test_the_one_screen_shows_outcomes_without_a_preselection_and_a_ticking_countdown(
    page, acme_url, worklist
):
    overdue = worklist["mine_overdue"]
    log_in(page, acme_url, "anna@acme.test")
    page.goto(acme_url(f"{LIST}{overdue.pk}/change/"))
    countdown = page.locator("[data-testid=countdown]")
    first = countdown.locator("[data-testid=deadline-left]").inner_text()
    screenshot(page, "one-screen-callback-1440")

    page.wait_for_function(
        "first => document.querySelector('[data-testid=countdown] [data-testid=deadline-left]')"
        ".textContent !== first",
        arg=first,
    )
    assert countdown.get_attribute("data-state") == "overdue"
    assert countdown.evaluate("el => getComputedStyle(el).color") == RED
    assert "überfällig seit" in countdown.inner_text()
    for label in ("Nicht erreicht", "Mailbox", "Erreicht – erledigt", "Erreicht – Termin vereinbaren"):
        assert page.get_by_role("button", name=label).count() == 1
    outcomes = page.locator("[data-testid=outcomes]")
    assert outcomes.locator("input:checked, option:checked").count() == 0
    assert page.locator("#outcome-note").input_value() == ""
    assert page.get_by_role("button", name="Übernehmen").count() == 0  # already hers


def test_the_list_at_1440_shows_local_times_colours_and_the_row_actions(page, acme_url, worklist):
    log_in(page, acme_url, "anna@acme.test")
    page.goto(acme_url(LIST))
    screenshot(page, "one-screen-list-actions-1440")

    width = page.viewport_size["width"]
    for name in ("Paula Offen", "Lena Später", "Otto Überfällig"):
        menu = row_of(page, name).locator("td.field-actions_holder")
        box = menu.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, f"{name}: row actions off-screen"
    take = row_of(page, "Paula Offen").get_by_role("button", name="Übernehmen").bounding_box()
    assert take["x"] + take["width"] <= width

    def colour(name: str) -> str:
        return row_of(page, name).locator(".sb-deadline").evaluate("el => getComputedStyle(el).color")

    assert colour("Paula Offen") == AMBER  # 40 minutes left, within the 60-minute warning lead
    assert colour("Otto Überfällig") == RED
    assert colour("Lena Später") not in (AMBER, RED)
    later = worklist["mine_later"].expires_at
    local = timezone.localtime(later, worklist["mine_later"].branch.tzinfo)
    assert f"{local:%d.%m.%Y %H:%M}" in row_of(page, "Lena Später").inner_text()


def test_keys_search_move_open_and_take(page, acme_url, worklist, anna):
    log_in(page, acme_url, "anna@acme.test")
    page.goto(acme_url(LIST))

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "searchbar"
    page.locator("#searchbar").blur()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    current = page.locator("#result_list tr.sb-current")
    assert current.count() == 1 and "Otto Überfällig" in current.inner_text()  # overdue first
    screenshot(page, "one-screen-list-keys-1440")

    page.keyboard.press("Enter")
    page.wait_for_url(f"**/callbackrequest/{worklist['mine_overdue'].pk}/change/")

    page.goto(acme_url(LIST))
    pending_row = next(
        i
        for i, text in enumerate(page.locator("#result_list tr.data-row").all_inner_texts())
        if "Paula Offen" in text
    )
    for _ in range(pending_row + 1):
        page.keyboard.press("j")
    page.keyboard.press("t")
    page.wait_for_url(f"**/callbackrequest/{worklist['pending'].pk}/change/")
    assert CallbackRequest.objects.get(pk=worklist["pending"].pk).assigned_to == anna


def test_on_a_phone_each_callback_is_a_card_of_at_most_four_lines(browser, acme_url, worklist):
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, acme_url, "anna@acme.test")
        page.goto(acme_url(LIST))
        screenshot(page, "one-screen-list-390")
        for name in ("Paula Offen", "Lena Später", "Otto Überfällig"):
            row = row_of(page, name)
            shown = row.locator(":scope > td, :scope > th").evaluate_all(
                "cells => cells.filter(c => getComputedStyle(c).display !== 'none')"
                ".map(c => c.getBoundingClientRect().height)"
            )
            assert 0 < len(shown) <= 4, f"{name}: {len(shown)} lines"
            assert row.bounding_box()["width"] <= 390
        assert row_of(page, "Paula Offen").get_by_role("button", name="Übernehmen").is_visible()
        assert row_of(page, "Otto Überfällig").locator('a[href^="tel:"]').is_visible()
        assert_fits_the_screen(page)

        page.goto(acme_url(f"{LIST}{worklist['mine_overdue'].pk}/change/"))
        screenshot(page, "one-screen-callback-390")
        assert_fits_the_screen(page)
        assert_in_view_and_clickable(page.get_by_role("button", name="Erreicht – erledigt"))
    finally:
        context.close()
