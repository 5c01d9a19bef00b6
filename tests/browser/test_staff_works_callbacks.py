"""A staff member's day: log in on the company host, see only their callbacks, try, reach, complete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks.models import CallbackRequest, ContactAttempt
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mitte(company):
    """Mitte as in the admin tests: no opening hours."""
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def workday(company, acme_url, mitte, haircut, anna, max_manager):
    nord = BranchFactory(name="Nord", hours=[])
    ben = StaffFactory(
        name="Ben", user__username="ben.browser@acme.test", branches=[mitte], services=[haircut]
    )
    now = timezone.now()
    rows = {
        "mine": AssignedCallbackFactory(
            branch=mitte,
            assigned_to=anna,
            customer_name="Clara Kundin",
            phone="+49301234567",
            expires_at=now + timedelta(minutes=35),
        ),
        "mine_overdue": AssignedCallbackFactory(
            branch=mitte,
            assigned_to=anna,
            customer_name="Otto Überfällig",
            phone="+49301234568",
            expires_at=now - timedelta(hours=2, minutes=5),
        ),
        "unassigned": CallbackRequestFactory(branch=mitte, service=haircut, customer_name="Paula Offen"),
        "bens": AssignedCallbackFactory(branch=mitte, assigned_to=ben, customer_name="Bernd Fremd"),
        "nord": CallbackRequestFactory(branch=nord, customer_name="Norbert Nord"),
    }
    return {"ben": ben, "mitte": mitte, "haircut": haircut, **rows}


def test_staff_logs_in_sees_only_their_callbacks_logs_an_attempt_and_completes(page, acme_url, workday):
    log_in(page, acme_url, "anna@acme.test")
    screenshot(page, "staff-dashboard")

    page.goto(acme_url("/admin/callbacks/callbackrequest/"))
    body = page.locator("#result_list").inner_text()
    screenshot(page, "staff-callback-list")
    assert "Clara Kundin" in body and "Otto Überfällig" in body and "Paula Offen" in body
    assert "Bernd Fremd" not in body and "Norbert Nord" not in body
    assert "überfällig seit 2 Std." in body
    rows = page.locator("#result_list tbody tr")
    assert "Otto Überfällig" in rows.nth(0).inner_text()  # overdue first

    clara = workday["mine"]
    page.goto(acme_url(f"/admin/callbacks/callbackrequest/{clara.pk}/attempt/"))
    page.select_option("select[name=outcome]", "no_answer")
    page.fill("textarea[name=note]", "Mailbox voll")
    screenshot(page, "staff-log-attempt")
    page.click("[data-testid=action-submit]")
    page.wait_for_url(f"**/callbackrequest/{clara.pk}/change/")
    assert ContactAttempt.objects.filter(callback=clara, outcome="no_answer").exists()

    page.goto(acme_url(f"/admin/callbacks/callbackrequest/{clara.pk}/attempt/"))
    page.select_option("select[name=outcome]", "reached")
    page.click("[data-testid=action-submit]")
    page.wait_for_url(f"**/callbackrequest/{clara.pk}/change/")
    assert CallbackRequest.objects.get(pk=clara.pk).status == "contacted"

    page.get_by_role("link", name="Als erledigt markieren").first.click()
    page.fill("textarea[name=note]", "Termin für Freitag vereinbart")
    page.click("[data-testid=action-submit]")
    page.wait_for_url(f"**/callbackrequest/{clara.pk}/change/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    screenshot(page, "staff-callback-detail")
    assert CallbackRequest.objects.get(pk=clara.pk).status == "completed"
    assert "Kontaktversuch" in timeline and "Erledigt" in timeline


def test_staff_cannot_open_another_staff_members_callback_by_url(page, acme_url, workday):
    log_in(page, acme_url, "anna@acme.test")

    response = page.goto(acme_url(f"/admin/callbacks/callbackrequest/{workday['bens'].pk}/change/"))

    assert response.status == 403
    assert "Bernd Fremd" not in page.content()


def test_manager_bulk_auto_assigns_and_sees_who_got_what(page, acme_url, workday):
    mitte, haircut = workday["mitte"], workday["haircut"]
    for name in ("Erika Eins", "Fritz Zwei", "Gerda Drei"):
        CallbackRequestFactory(branch=mitte, service=haircut, customer_name=name)
    log_in(page, acme_url, "max@acme.test")

    page.goto(acme_url("/admin/callbacks/callbackrequest/?status__exact=pending"))
    screenshot(page, "manager-pending-list")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "bulk_auto_assign")
    page.locator(
        "button[name=index], button[type=submit][title], #changelist-form button[type=submit]"
    ).first.click()
    page.wait_for_selector("select[name=strategy]")
    page.select_option("select[name=strategy]", "load_based")
    screenshot(page, "manager-bulk-auto-assign")
    page.click("[data-testid=action-submit]")
    page.wait_for_url("**/callbackrequest/**")

    messages = page.locator("body").inner_text()
    screenshot(page, "manager-bulk-result")
    assert "4 automatisch zugewiesen" in messages
    assert "Zugewiesen an:" in messages
    assert CallbackRequest.objects.filter(branch=mitte, status="pending").count() == 0

    assigned = CallbackRequest.objects.get(customer_name="Erika Eins")
    page.goto(acme_url(f"/admin/callbacks/callbackrequest/{assigned.pk}/change/"))
    screenshot(page, "manager-callback-detail-actions")
    for label in ("Kontaktversuch erfassen", "Eskalieren", "Rückruf stornieren", "In den Papierkorb"):
        assert page.get_by_role("link", name=label).count() >= 1
    assert page.get_by_role("link", name="Als erledigt markieren").count() == 0  # not before contact


def test_german_ui_shows_german_labels_and_english_on_request(page, acme_url, workday):
    log_in(page, acme_url, "anna@acme.test")

    page.goto(acme_url("/admin/"))
    german = page.locator("body").inner_text()
    screenshot(page, "dashboard-de")
    page.goto(acme_url("/admin/callbacks/callbackrequest/"))
    german_list = page.locator("body").inner_text()

    assert "Meine nächsten fälligen Rückrufe" in german and "Überfällig" in german
    assert "Rückrufanfragen" in german_list and "Priorität" in german_list
    assert "Callback requests" not in german_list

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": acme_url("/")}])
    page.goto(acme_url("/admin/callbacks/callbackrequest/"))
    english = page.locator("body").inner_text()
    screenshot(page, "callback-list-en")
    assert "Callback requests" in english and "overdue by 2 h" in english


def test_list_announces_a_new_callback_within_30_seconds_and_shows_it_on_a_click(
    page, acme_url, workday, device
):
    from callbacks import services

    log_in(page, acme_url, "max@acme.test")
    page.goto(acme_url("/admin/callbacks/callbackrequest/"))
    page.wait_for_function("document.querySelector('[data-new-callbacks]').dataset.latest !== undefined")

    services.callback_create(
        branch_id=workday["mitte"].pk, phone="+49301239999", customer_name="Live Neukunde", priority="urgent"
    )

    notice = page.get_by_test_id("new-callbacks")
    notice.wait_for(state="visible", timeout=30_000)
    assert "1 neuer Rückruf" in notice.inner_text()
    rows = page.locator("#result_list")  # (the bell may name the new callback too)
    assert rows.get_by_text("Live Neukunde").count() == 0  # announced, not reloaded under the user's hands
    screenshot(page, f"new-callbacks-notice-{device}")
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(notice.get_by_role("button"))
    notice.get_by_role("button").click()
    rows.get_by_text("Live Neukunde").wait_for(timeout=10_000)
