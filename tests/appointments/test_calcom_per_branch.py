"""Cal.com per branch: a booking made in Cal.com lands on the branch of its event type; an event type no
branch has mapped waits, visible to admins, with a callback request, and is never put on a guessed branch.

Through the entry points production uses: signed Cal.com webhooks over HTTP and the admin over HTTP.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from appointments.models import Appointment, EventTypeMapping, UnmappedBooking
from appointments.services import event_type_map
from callbacks.models import CallbackRequest
from integrations.calcom.services import calcom_event_reprocess
from integrations.models import WebhookEvent
from org.roles import Role
from tests.appointments import test_calcom_webhooks as webhooks
from tests.appointments.conftest import EVENT_TYPE
from tests.appointments.test_calcom_webhooks import booking_payload
from tests.factories.org import BranchFactory
from tests.personas import acme_person

UNMAPPED = 8888
# The signed Cal.com side of the wire, shared with test_calcom_webhooks.py.
calcom_secret, cal, deliver = webhooks.calcom_secret, webhooks.cal, webhooks.deliver


@pytest.fixture
def charlottenburg(company, haircut):
    branch = BranchFactory(name="Charlottenburg")
    haircut.branches.add(branch)
    return branch


def online_booking(uid: str, event_type: int) -> dict:
    body = booking_payload("BOOKING_CREATED", uid)
    body["payload"]["eventTypeId"] = event_type
    return body


def test_a_booking_lands_on_the_branch_of_its_event_type(
    deliver, calcom, haircut, mitte, charlottenburg, jonas
):
    event_type_map(branch=charlottenburg, service=haircut, event_type_id=5151)

    deliver(online_booking("uid-mitte", EVENT_TYPE))
    deliver(online_booking("uid-charlottenburg", 5151))

    placed = dict(Appointment.objects.values_list("calcom_booking_uid", "branch__name"))
    assert placed == {"uid-mitte": "Mitte", "uid-charlottenburg": "Charlottenburg"}


def test_an_unmapped_event_type_waits_with_a_callback_and_no_guessed_appointment(
    deliver, calcom, haircut, mitte, charlottenburg, jonas
):
    response = deliver(online_booking("uid-x", UNMAPPED))

    assert response.status_code == 200
    assert not Appointment.objects.exists(), "no branch is guessed"
    waiting = UnmappedBooking.objects.get()
    assert (waiting.status, waiting.event_type_id, waiting.attendee_name) == (
        "needs_mapping",
        UNMAPPED,
        "Jonas Weber",
    )
    callback = CallbackRequest.objects.get()
    assert waiting.callback == callback
    assert (callback.customer, str(callback.phone)) == (jonas, "+4915112345678")
    assert callback.metadata["kind"] == "calcom_needs_mapping"
    assert callback.metadata["branch_unconfirmed"] is True, "two branches, nothing decides: staff ask"
    assert str(UNMAPPED) in callback.notes
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.FAILED, "reprocess it once mapped"


def test_a_second_delivery_of_an_unmapped_booking_makes_no_second_callback(
    deliver, calcom, haircut, mitte, charlottenburg, jonas
):
    deliver(online_booking("uid-x", UNMAPPED))
    requested = online_booking("uid-x", UNMAPPED)
    requested["triggerEvent"] = "BOOKING_REQUESTED"
    deliver(requested)

    assert UnmappedBooking.objects.count() == 1
    assert CallbackRequest.objects.count() == 1


def test_the_central_branch_setting_takes_the_callback_of_an_unmapped_booking(
    deliver, calcom, haircut, mitte, charlottenburg, jonas, company_settings
):
    company_settings(CENTRAL_BRANCH_ID=charlottenburg.pk)

    deliver(online_booking("uid-x", UNMAPPED))

    callback = CallbackRequest.objects.get()
    assert callback.branch == charlottenburg
    assert callback.metadata["branch_unconfirmed"] is False


def test_mapping_the_event_type_and_reprocessing_books_it_at_that_branch(
    deliver, calcom, haircut, mitte, charlottenburg, jonas, django_capture_on_commit_callbacks
):
    deliver(online_booking("uid-x", UNMAPPED))
    event_type_map(branch=charlottenburg, service=haircut, event_type_id=UNMAPPED)

    with django_capture_on_commit_callbacks(execute=True):
        calcom_event_reprocess(event=WebhookEvent.objects.get())

    appointment = Appointment.objects.get()
    assert appointment.branch == charlottenburg
    waiting = UnmappedBooking.objects.get()
    assert (waiting.status, waiting.appointment) == ("resolved", appointment)
    assert appointment.callback == waiting.callback
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED


def test_a_cancellation_of_an_unmapped_booking_closes_it(
    deliver, calcom, haircut, mitte, charlottenburg, jonas
):
    deliver(online_booking("uid-x", UNMAPPED))
    cancelled = booking_payload("BOOKING_CANCELLED", "uid-x")
    cancelled["payload"]["eventTypeId"] = UNMAPPED

    deliver(cancelled)

    assert UnmappedBooking.objects.get().status == UnmappedBooking.Status.CANCELLED


def test_admins_see_bookings_needing_a_mapping_with_a_filter_and_staff_do_not(
    deliver, calcom, haircut, mitte, charlottenburg, jonas, tenant_client, anna
):
    deliver(online_booking("uid-x", UNMAPPED))
    url = reverse("admin:appointments_unmappedbooking_changelist")
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    tenant_client.force_login(acme_person("Ada", Role.ADMIN, mitte).user)
    page = tenant_client.get(url, {"status__exact": "needs_mapping"})
    assert page.status_code == 200
    assert "Jonas Weber" in page.content.decode()
    assert "Jonas Weber" not in tenant_client.get(url, {"status__exact": "resolved"}).content.decode()

    tenant_client.force_login(anna.user)
    assert tenant_client.get(url).status_code == 403


def test_the_import_asks_for_the_branch(calcom, haircut, mitte, charlottenburg, tenant_client):
    tenant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    tenant_client.force_login(acme_person("Ada", Role.ADMIN, mitte).user)
    url = reverse("admin:appointments_eventtypemapping_import_event_types")

    form = tenant_client.get(url)
    assert form.status_code == 200
    assert "Charlottenburg" in form.content.decode()
    done = tenant_client.post(url, {"branch": charlottenburg.pk})

    assert done.status_code == 302
    imported = EventTypeMapping.objects.get(event_type_id=4343)
    assert imported.branch == charlottenburg
