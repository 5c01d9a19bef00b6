"""A manager cancels an appointment in a real browser: the policy's verdict and fee come before the click."""

from datetime import UTC

import pytest
from django.db import connection

from appointments.models import Appointment, EventTypeMapping
from org.models import Branch, Customer, Service, Staff
from policies.models import AppointmentModification, PolicyConfiguration
from policies.services import policy_set
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.factories.appointments import AppointmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    """An English browser: the admin still speaks the manager's own language, German, once logged in."""
    context = browser.new_context(locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def committed(company):
    """The live server is another thread with its own connection: rows are committed, then removed again
    (a tenant schema outlives the transactional test's flush)."""
    yield
    connection.set_tenant(company)
    AppointmentModification.objects.all().delete()
    Appointment.objects.all().delete()
    PolicyConfiguration.objects.all().delete()
    EventTypeMapping.objects.all().delete()
    Staff.objects.all().delete()
    Service.objects.all().delete()
    Customer.objects.all().delete()
    Branch.objects.all().delete()


def test_a_manager_sees_the_fee_then_cancels(
    committed, live_server, page, company, calcom, haircut, mitte, jonas, max_manager
):
    policy_set(policy_type="cancellation", settings={"fee": {"kind": "fixed", "amount": "12.50"}})
    start = next_weekday_at(0, 10)
    booking = calcom.book({"start": start.astimezone(UTC).isoformat(), "eventTypeId": EVENT_TYPE}).body[
        "data"
    ]
    from policies.services import policy_snapshot_for

    appointment = AppointmentFactory(
        customer=jonas,
        service=haircut,
        branch=mitte,
        starts_at=start,
        calcom_booking_uid=booking["uid"],
        policy_snapshot=policy_snapshot_for(branch=mitte, service=haircut),
    )
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://acme.localhost:{port}"

    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", max_manager.user.username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{base}/admin/appointments/appointment/{appointment.pk}/cancel/")

    assert page.inner_text("#policy-verdict") == "Erlaubt; es fällt eine Gebühr von 12,50 EUR an."
    assert "12,50 EUR" in page.inner_text("#policy-fee")
    assert calcom.booked[booking["uid"]]["status"] == "accepted", "nothing happens before the click"

    page.fill("textarea[name=reason]", "Customer is ill")
    page.click("#appointment-change button[type=submit]")
    page.wait_for_url(f"**/admin/appointments/appointment/{appointment.pk}/change/")

    connection.set_tenant(company)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert calcom.booked[booking["uid"]]["status"] == "cancelled"
    assert str(AppointmentModification.objects.get().fee_amount) == "12.50"
