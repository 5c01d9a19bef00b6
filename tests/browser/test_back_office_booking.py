"""In Chromium at 1440×900 and on a phone (390×844), in German: Anna opens her callback, books Jonas's
appointment from the free times Cal.com (the stand-in) offers, and the callback is completed with the
appointment linked; another branch is not offered to her."""

import pytest
from django.db import connection

from appointments.models import Appointment
from appointments.services import event_type_map
from callbacks.models import CallbackRequest
from tests.appointments import conftest as appointment_fixtures
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
calcom = appointment_fixtures.calcom  # the Cal.com stand-in, as in tests/appointments


@pytest.fixture
def haircut(mitte):
    service = ServiceFactory(name="Haarschnitt", duration_minutes=30, branches=[mitte])
    event_type_map(branch=mitte, service=service, event_type_id=EVENT_TYPE)
    return service


@pytest.fixture
def callback(company, mitte, haircut, anna):
    charlottenburg = BranchFactory(name="Charlottenburg")
    haircut.branches.add(charlottenburg)
    jonas = CustomerFactory(name="Jonas Weber", phone="+4915112345678", email="jonas@example.test")
    return AssignedCallbackFactory(
        branch=mitte, service=haircut, customer=jonas, phone=jonas.phone, assigned_to=anna
    )


def test_staff_book_from_a_callback_and_the_callback_is_completed(
    page, acme_url, company, calcom, callback, anna, device
):
    monday_10 = next_weekday_at(0, 10)
    log_in(page, acme_url, "anna@acme.test")

    page.goto(acme_url(f"/admin/callbacks/callbackrequest/{callback.pk}/change/"))
    page.get_by_role("link", name="Termin buchen").click()
    branches = page.locator("select[name=branch] option").all_inner_texts()
    page.fill("input[name=day]", monday_10.strftime("%d.%m.%Y"))
    page.get_by_role("button", name="Freie Termine anzeigen").click()
    page.check(f"#free-times input[value='{monday_10.isoformat()}']")
    screenshot(page, f"back-office-booking-{device}")
    assert_fits_the_screen(page)
    book = page.locator("#book-appointment").get_by_role("button", name="Termin buchen")
    assert_in_view_and_clickable(book)
    book.click()
    page.wait_for_url(f"**/callbackrequest/{callback.pk}/change/")

    assert "Charlottenburg" not in " ".join(branches) and "Mitte" in " ".join(branches)
    assert "Termin gebucht" in page.content()
    connection.set_tenant(company)
    appointment = Appointment.objects.get()
    assert appointment.starts_at == monday_10 and appointment.source == Appointment.Source.ADMIN
    assert calcom.booked[appointment.calcom_booking_uid]["eventTypeId"] == EVENT_TYPE
    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.COMPLETED and callback.appointment == appointment
