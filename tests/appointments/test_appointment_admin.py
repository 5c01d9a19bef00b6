"""The appointment screens: cancel and reschedule show the policy's verdict and fee before confirming."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import Appointment
from appointments.services import appointment_book
from org.roles import Role
from policies.models import AppointmentModification
from policies.services import policy_set
from tests.appointments.conftest import BERLIN, next_weekday_at
from tests.factories.appointments import AppointmentFactory
from tests.factories.org import ServiceFactory, StaffFactory
from tests.integrations.calcom.calcom_standin import Scripted, error_body


def login(tenant_client, staff):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(staff.user)
    return tenant_client


@pytest.fixture
def booked(calcom, jonas, haircut, mitte):
    policy_set(policy_type="cancellation", settings={"fee": {"kind": "fixed", "amount": "12.50"}})
    return appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))


def data_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len([q for q in captured.captured_queries if "search_path" not in q["sql"]])


def test_the_list_needs_the_same_queries_for_few_and_many_appointments(tenant_client, haircut, mitte):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))
    url = reverse("admin:appointments_appointment_changelist")
    AppointmentFactory(service=haircut, branch=mitte)
    data_queries(client, url)  # warm up per-process caches (content types, permissions)
    few = data_queries(client, url)
    for _ in range(6):
        AppointmentFactory(service=haircut, branch=mitte)

    assert data_queries(client, url) == few


def test_the_cancel_screen_shows_the_verdict_and_fee_before_anything_happens(tenant_client, booked, anna):
    client = login(tenant_client, anna)

    page = client.get(reverse("admin:appointments_appointment_cancel_appointment", args=[booked.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Allowed" in html and "12.50" in html
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED


def test_confirming_the_cancel_screen_cancels_with_the_fee(tenant_client, booked, anna, calcom):
    client = login(tenant_client, anna)

    response = client.post(
        reverse("admin:appointments_appointment_cancel_appointment", args=[booked.pk]), {"reason": "Ill"}
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert str(AppointmentModification.objects.get().fee_amount) == "12.50"
    assert calcom.booked[booked.calcom_booking_uid]["status"] == "cancelled"


def test_a_refusal_is_shown_with_its_reason_and_staff_cannot_push_it_through(
    tenant_client, calcom, jonas, haircut, mitte, anna
):
    policy_set(policy_type="cancellation", settings={"hours_before": 24 * 30})
    booked = appointment_book(customer=jonas, service=haircut, branch=mitte, starts_at=next_weekday_at(0, 10))
    client = login(tenant_client, anna)
    url = reverse("admin:appointments_appointment_cancel_appointment", args=[booked.pk])

    shown = client.get(url).content.decode()
    refused = client.post(url, {"override_reason": "Please"})

    assert "Refused" in shown and "720" in shown
    assert refused.status_code == 200
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED


def test_rescheduling_is_checked_first_and_done_on_confirmation(tenant_client, booked, anna, calcom):
    client = login(tenant_client, anna)
    url = reverse("admin:appointments_appointment_reschedule_appointment", args=[booked.pk])
    new_start = next_weekday_at(1, 14)
    form = {"day": new_start.date().isoformat(), "time": "14:00"}

    preview = client.post(url, form)
    booked.refresh_from_db()
    assert preview.status_code == 200
    assert "Allowed" in preview.content.decode()
    assert booked.starts_at == next_weekday_at(0, 10)

    done = client.post(url, {**form, "confirm": "1"})

    assert done.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == new_start
    assert len(booked.previous_booking_uids) == 1


def test_the_day_view_shows_one_branch_and_day_as_half_hour_rows(tenant_client, company, haircut, mitte):
    client = login(tenant_client, StaffFactory(role=Role.STAFF, branches=[mitte]))
    monday_9 = next_weekday_at(0, 9)
    AppointmentFactory(service=haircut, branch=mitte, starts_at=monday_9 + timedelta(minutes=10))
    AppointmentFactory(service=haircut, branch=mitte, starts_at=monday_9 + timedelta(days=1))

    page = client.get(
        reverse("admin:appointments_appointment_day_view"),
        {"branch": mitte.pk, "day": monday_9.astimezone(BERLIN).date().isoformat()},
    )

    table = page.content.decode().split('id="day-view"')[1].split("</table>")[0]
    assert table.count("<tr") == 18, "09:00 to 17:30 in half hours"
    assert table.count('class="appointment') == 1
    first_row = table.split("<tr")[1]
    assert "09:00" in first_row and "09:10" in first_row, "the 09:10 appointment sits in the 09:00 row"


def test_the_connection_test_reports_success_and_a_refused_key(tenant_client, calcom, company):
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))
    url = reverse("admin:appointments_eventtypemapping_test_connection")

    ok = client.get(url, follow=True).content.decode()
    calcom.queue(Scripted(401, error_body(401, "UnauthorizedException", "Invalid API Key")))
    refused = client.get(url, follow=True).content.decode()

    assert "signed in as acme" in ok
    assert "Invalid API Key" in refused


def test_services_without_an_event_type_are_listed(tenant_client, company, haircut, mitte):
    ServiceFactory(name="Färben", branches=[mitte])
    client = login(tenant_client, StaffFactory(role=Role.ADMIN))

    page = client.get(reverse("admin:appointments_eventtypemapping_unmapped_services")).content.decode()

    listed = page.split('id="unmapped-services"')[1]
    assert "Färben" in listed and "Haarschnitt" not in listed
