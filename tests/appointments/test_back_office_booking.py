"""Booking from the back office, over HTTP as the staff see it: from a callback, from a customer's page and
for a walk-in; the free times come from the Cal.com stand-in through the availability code the phone agent
uses, the booking through `appointment_book`; only at the user's own branches; Cal.com's refusals are a
message on the form and change nothing.

Anna (staff) and Max (manager) work at Mitte; Charlottenburg is another branch offering the haircut with
its own Cal.com event type.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from appointments.models import Appointment
from appointments.services import event_type_map
from callbacks.models import CallbackRequest
from common.booking_origin import origin_token
from org.models import Customer
from org.roles import Role
from tests.appointments.conftest import EVENT_TYPE, next_weekday_at
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.org import BranchFactory, StaffFactory
from tests.integrations.calcom.calcom_standin import SLOT_TAKEN_MESSAGE, Scripted, error_body

CHARLOTTENBURG_EVENT_TYPE = 5151
BOOK = "admin:appointments_appointment_add"


def login(tenant_client, staff, language: str = "en"):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    tenant_client.force_login(staff.user)
    return tenant_client


@pytest.fixture
def charlottenburg(company, haircut):
    branch = BranchFactory(name="Charlottenburg")
    haircut.branches.add(branch)
    event_type_map(branch=branch, service=haircut, event_type_id=CHARLOTTENBURG_EVENT_TYPE)
    return branch


@pytest.fixture
def callback(anna, mitte, haircut, jonas):
    return AssignedCallbackFactory(
        branch=mitte, service=haircut, customer=jonas, phone=jonas.phone, assigned_to=anna
    )


def search(client, branch, service, *, day, **extra) -> str:
    params = {"branch": branch.pk, "service": service.pk, "staff": "", "day": day.isoformat(), **extra}
    page = client.get(reverse(BOOK), params)
    assert page.status_code == 200
    return page.content.decode()


def offered(html: str) -> list[str]:
    return [unescape(value) for value in re.findall(r'name="start" value="([^"]+)"', html)]


def book_form(branch, service, start, **extra) -> dict:
    return {
        "branch": branch.pk,
        "service": service.pk,
        "staff": "",
        "day": start.date().isoformat(),
        "start": start.isoformat(),
        "request_key": "k1",
        "notes": "",
        **extra,
    }


def test_from_a_callback_the_free_times_come_from_calcom_and_the_booking_settles_it(
    tenant_client, calcom, callback, anna, mitte, haircut, jonas
):
    client = login(tenant_client, anna)
    monday_10 = next_weekday_at(0, 10)
    detail = client.get(
        reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    ).content.decode()
    link = unescape(re.search(r'id="book-appointment-link"[^>]*href="([^"]+)"', detail).group(1))
    token = parse_qs(urlparse(link).query)["origin"][0]

    start_page = client.get(link).content.decode()
    times = offered(search(client, mitte, haircut, day=monday_10.date(), origin=token))
    response = client.post(reverse(BOOK), {**book_form(mitte, haircut, monday_10), "origin": token})

    assert "Jonas Weber" in start_page and f"#{callback.pk}" in start_page
    assert monday_10.isoformat() in times, "the stand-in's free Monday 10:00 is offered"
    assert calcom.requests_to("/v2/slots")[0].query["eventTypeId"] == str(EVENT_TYPE)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    appointment = Appointment.objects.get()
    assert (appointment.customer, appointment.branch, appointment.starts_at) == (jonas, mitte, monday_10)
    assert appointment.source == Appointment.Source.ADMIN and appointment.policy_snapshot
    assert calcom.booked[appointment.calcom_booking_uid]["status"] == "accepted"
    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.COMPLETED
    assert callback.appointment == appointment and appointment.callback_id == callback.pk


def test_a_callback_without_a_customer_record_books_the_caller_by_name_and_number(
    tenant_client, calcom, anna, mitte, haircut
):
    caller = AssignedCallbackFactory(
        branch=mitte, service=haircut, phone="+4917612345678", customer_name="Lea Kurz", assigned_to=anna
    )
    client = login(tenant_client, anna)
    token = origin_token(
        user_id=anna.user.pk,
        facts={"callback": caller.pk, "customer": None, "name": "Lea Kurz", "phone": "+4917612345678"},
    )
    start = next_weekday_at(1, 11)

    response = client.post(
        reverse(BOOK),
        {**book_form(mitte, haircut, start), "origin": token, "name": "Lea Kurz", "phone": "+4917612345678"},
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.customer.name == "Lea Kurz"
    caller.refresh_from_db()
    assert caller.status == CallbackRequest.Status.COMPLETED and caller.appointment == appointment


def test_the_customer_page_leads_to_booking_for_that_customer(
    tenant_client, calcom, anna, mitte, haircut, jonas
):
    client = login(tenant_client, anna)
    start = next_weekday_at(2, 9, 30)

    action = client.get(reverse("admin:org_customer_book_appointment", args=[jonas.pk]))
    response = client.post(action["Location"], book_form(mitte, haircut, start, customer=jonas.pk))

    assert action["Location"] == f"{reverse(BOOK)}?customer={jonas.pk}"
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("admin:appointments_appointment_change", args=[appointment.pk])
    assert appointment.customer == jonas and appointment.starts_at == start


def test_a_walk_in_is_booked_from_the_add_button_and_becomes_a_customer(
    tenant_client, calcom, anna, mitte, haircut
):
    client = login(tenant_client, anna)
    start = next_weekday_at(3, 15)

    changelist = client.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    missing = client.post(reverse(BOOK), book_form(mitte, haircut, start))
    booked = client.post(
        reverse(BOOK),
        book_form(mitte, haircut, start, name="Walk In", phone="030 1234567", notes="Erstbesuch"),
    )

    assert reverse(BOOK) in changelist
    assert missing.status_code == 200 and "phone number or email address" in missing.content.decode()
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.customer.name == "Walk In" and appointment.notes == "Erstbesuch"
    assert str(appointment.customer.phone) == "+49301234567"


def test_the_same_form_sent_twice_books_once(tenant_client, calcom, anna, mitte, haircut, jonas):
    client = login(tenant_client, anna)
    form = book_form(mitte, haircut, next_weekday_at(0, 11), customer=jonas.pk)

    first = client.post(reverse(BOOK), form)
    second = client.post(reverse(BOOK), form)

    assert first.status_code == second.status_code == 302
    assert Appointment.objects.count() == 1 and len(calcom.booked) == 1


def test_staff_of_mitte_are_not_offered_charlottenburg_and_cannot_book_there(
    tenant_client, calcom, anna, mitte, charlottenburg, haircut, jonas
):
    client = login(tenant_client, anna)
    start = next_weekday_at(0, 10)

    page = client.get(reverse(BOOK), {"customer": jonas.pk}).content.decode()
    searched = client.get(
        reverse(BOOK),
        {"branch": charlottenburg.pk, "service": haircut.pk, "day": start.date().isoformat()},
    )
    refused = client.post(reverse(BOOK), book_form(charlottenburg, haircut, start, customer=jonas.pk))

    assert "Charlottenburg" not in page and "Mitte" in page
    assert offered(searched.content.decode()) == []
    assert refused.status_code == 200
    assert not Appointment.objects.exists() and calcom.booked == {}
    assert calcom.requests_to("/v2/slots") == [], "Charlottenburg's calendar is never even asked"


def test_managers_book_at_their_branches_and_admins_everywhere(
    tenant_client, calcom, max_manager, mitte, charlottenburg, haircut, jonas
):
    admin = StaffFactory(role=Role.ADMIN, branches=[mitte])
    start = next_weekday_at(0, 10)

    by_manager = login(tenant_client, max_manager).post(
        reverse(BOOK), book_form(charlottenburg, haircut, start, customer=jonas.pk)
    )
    by_admin = login(tenant_client, admin).post(
        reverse(BOOK), book_form(charlottenburg, haircut, start, customer=jonas.pk)
    )

    assert by_manager.status_code == 200
    assert by_admin.status_code == 302
    booked = Appointment.objects.get()
    assert booked.branch == charlottenburg
    assert calcom.booked[booked.calcom_booking_uid]["eventTypeId"] == CHARLOTTENBURG_EVENT_TYPE


def test_someone_without_a_branch_or_another_branch_s_customer_is_refused(
    tenant_client, calcom, mitte, charlottenburg, haircut, anna
):
    nobody = StaffFactory(role=Role.STAFF, branches=[])
    theirs = Customer.objects.create(name="Elsewhere", phone="+4930999999")
    AssignedCallbackFactory(branch=charlottenburg, customer=theirs, phone=theirs.phone)

    assert login(tenant_client, nobody).get(reverse(BOOK)).status_code == 403
    assert login(tenant_client, anna).get(reverse(BOOK), {"customer": theirs.pk}).status_code == 404


def test_a_link_made_for_someone_else_is_refused(tenant_client, calcom, callback, anna, max_manager):
    token = origin_token(user_id=max_manager.user.pk, facts={"callback": callback.pk})

    response = login(tenant_client, anna).get(reverse(BOOK), {"origin": token})

    assert response.status_code == 403


def test_a_slot_taken_meanwhile_is_a_message_and_changes_nothing(
    tenant_client, calcom, callback, anna, mitte, haircut, jonas
):
    client = login(tenant_client, anna)
    taken = error_body(400, "BadRequestException", SLOT_TAKEN_MESSAGE)
    calcom.queue(Scripted(400, taken, path_prefix="/v2/bookings"))

    response = client.post(
        reverse(BOOK), book_form(mitte, haircut, next_weekday_at(0, 10), customer=jonas.pk)
    )

    assert response.status_code == 200
    assert "no longer free" in response.content.decode()
    assert not Appointment.objects.exists()
    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.ASSIGNED


@pytest.mark.parametrize("language, message", [("en", "cannot be reached"), ("de", "nicht erreichbar")])
def test_calcom_down_is_a_message_and_changes_nothing(
    tenant_client, calcom, callback, anna, mitte, haircut, jonas, language, message
):
    client = login(tenant_client, anna, language)
    start = next_weekday_at(0, 10)
    calcom.go_down("unavailable")

    searched = search(client, mitte, haircut, day=start.date(), customer=jonas.pk)
    response = client.post(reverse(BOOK), book_form(mitte, haircut, start, name="Neu", phone="030 7654321"))

    assert message in searched and offered(searched) == []
    assert response.status_code == 200 and message in response.content.decode()
    assert not Appointment.objects.exists()
    assert list(CallbackRequest.objects.values_list("pk", "status")) == [(callback.pk, "assigned")]
    assert not Customer.objects.filter(name="Neu").exists()


def test_a_callback_link_books_only_the_customer_it_names(tenant_client, calcom, anna, mitte, haircut, jonas):
    caller = AssignedCallbackFactory(branch=mitte, service=haircut, phone="+4917600000001", assigned_to=anna)
    token = origin_token(user_id=anna.user.pk, facts={"callback": caller.pk, "customer": None})

    response = login(tenant_client, anna).post(
        reverse(BOOK),
        {**book_form(mitte, haircut, next_weekday_at(0, 10)), "origin": token, "customer": jonas.pk},
    )

    assert response.status_code == 200, "the caller still needs a name; another customer is not slipped in"
    assert not Appointment.objects.exists()


def test_a_staff_member_can_be_chosen_when_they_offer_the_service_there(
    tenant_client, calcom, anna, max_manager, mitte, haircut, jonas
):
    client = login(tenant_client, max_manager)
    start = next_weekday_at(4, 9)

    refused = client.post(
        reverse(BOOK), book_form(mitte, haircut, start, customer=jonas.pk, staff=max_manager.pk)
    )
    booked = client.post(reverse(BOOK), book_form(mitte, haircut, start, customer=jonas.pk, staff=anna.pk))

    assert refused.status_code == 200 and "does not offer" in refused.content.decode()
    assert booked.status_code == 302
    assert Appointment.objects.get().staff == anna
