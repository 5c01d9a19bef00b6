"""Patients who booked by phone hear about their appointment without a prior consent, until they opt out.

Dana calls Acme's "Praxis Mitte" (+49 30 901820) from her mobile and books "Beratung" for Thursday
5 March 2026, 10:00 through the signed Retell `book_appointment` function (Cal.com is the local stand-in).
She never gave a consent. The confirmation goes to the number or address she booked with, the reminders
follow at their time, and an opt-out (told to the agent, or an SMS "STOP" through Twilio) stops the channel.
"""

import uuid
from datetime import datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from appointments.models import Appointment
from common.redis import get_redis
from notifications.channels.twilio import request_signature
from notifications.conf import is_transactional
from notifications.context import Subject
from notifications.models import Channel, ContactOptOut, NotificationDelivery
from notifications.services import NO_CONSENT, OPTED_OUT, notifications_for_event
from notifications.tasks import dispatch_due
from org.models import Customer
from org.privacy import customer_export
from org.roles import Role
from policies.selectors import policy_cache_invalidate
from tenants.services import phone_route_add
from tests.conftest import tenant_host
from tests.factories.appointments import EventTypeMappingFactory
from tests.factories.calls import call_object, signed_post
from tests.factories.notifications import MarketingEventTypeFactory
from tests.factories.org import BranchFactory, ServiceFactory
from tests.integrations.calcom.calcom_standin import CalcomStandIn
from tests.notifications.conftest import SMS_SENDER, TWILIO_TOKEN
from tests.personas import BERLIN, WEDNESDAY_10, acme_person

Status = NotificationDelivery.Status
PRAXIS_NUMBER = "+4930901820"
DANA_PHONE = "+4915112345678"
THURSDAY_10 = datetime(2026, 3, 5, 10, 0, tzinfo=BERLIN)
TWO_HOURS_BEFORE = datetime(2026, 3, 5, 8, 0, tzinfo=BERLIN)
SMS_URL = "/webhooks/twilio/sms/"


def _forget_redis_state(schema: str) -> None:
    for key in get_redis().scan_iter(f"sb:{schema}:*"):
        get_redis().delete(key)


@pytest.fixture
def praxis(acme):
    """Acme's branch answering +49 30 901820, offering "Beratung"; Acme's Twilio is the stand-in."""
    branch = BranchFactory(name="Praxis Mitte")
    ServiceFactory(name="Beratung", branches=[branch], duration_minutes=30, price="40.00")
    phone_route_add(company=acme, number=PRAXIS_NUMBER, branch_id=branch.pk)
    return branch


@pytest.fixture
def calcom(acme, praxis, settings, clock):
    """Acme's Cal.com, played by the stand-in; Beratung is event type 4242."""
    server = CalcomStandIn().start()
    acme.calcom_api_key = f"cal_test_{uuid.uuid4().hex}"
    acme.save(update_fields=["calcom_api_key"])
    settings.SWITCHBOARD = {
        **settings.SWITCHBOARD,
        "CALCOM_CLIENT": {"base_url": server.url, "connect_timeout": 0.5, "read_timeout": 1.0, "attempts": 2},
    }
    EventTypeMappingFactory(service=praxis.services.get(name="Beratung"), event_type_id=4242)
    _forget_redis_state(acme.schema_name)
    policy_cache_invalidate()
    yield server
    server.stop()
    _forget_redis_state(acme.schema_name)
    policy_cache_invalidate()


@pytest.fixture
def call(acme, django_capture_on_commit_callbacks):
    """`call(function, args, call_id=...)`: signed as Retell sends it, during Dana's call to the Praxis;
    what the function queues after commit (the confirmation's send) runs before the answer returns."""
    client = Client(HTTP_HOST="localhost")

    def run(name: str, args: dict, *, call_id: str) -> dict:
        body = {"name": name, "args": args, "call": call_object(call_id, to_number=PRAXIS_NUMBER)}
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_post(client, "/webhooks/retell/functions/", body)
        assert response.status_code == 200, response.content
        return response.json()

    return run


@pytest.fixture
def booked(acme, calcom, call):
    """Dana books by phone, giving only her name (no email, no consent): her record is made from the call."""
    reply = call(
        "book_appointment",
        {"service": "Beratung", "datetime": THURSDAY_10.isoformat(), "name": "Dana Ruiz"},
        call_id="call_booking",
    )
    assert reply["status"] == "booked", reply
    with tenant_context(acme):
        return Appointment.objects.select_related("customer").get(pk=reply["appointment_id"])


def _due_reminders_sent(acme, django_capture_on_commit_callbacks) -> None:
    """The beat's sweep at the reminder's moment; the sends it queues run eagerly."""
    with tenant_context(acme), django_capture_on_commit_callbacks(execute=True):
        dispatch_due()


def _sms_to_dana(twilio) -> list[str]:
    return [message["Body"] for message in twilio.messages if message["To"] == DANA_PHONE]


def twilio_sms(
    body: str, *, sender: str = DANA_PHONE, to: str = SMS_SENDER, token: str = TWILIO_TOKEN, **fields
):
    """POST an incoming SMS as Twilio does: form fields signed with the company's auth token."""
    client = Client(HTTP_HOST="localhost")
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        **fields,
    }
    signature = request_signature(f"http://localhost{SMS_URL}", params, token)
    return client.post(
        SMS_URL,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


# --- transactional: confirmation and reminder without a consent ---------------------------------------


def test_a_patient_who_booked_by_phone_without_consent_gets_the_confirmation_by_sms(acme, booked, twilio):
    assert (booked.customer.phone, booked.customer.email, booked.customer.consent_sms_at) == (
        DANA_PHONE,
        "",
        None,
    )
    with tenant_context(acme):
        sms = NotificationDelivery.objects.get(event_type__key="appointment.created", channel=Channel.SMS)
    assert (sms.status, sms.address) == (Status.SENT, DANA_PHONE)
    assert _sms_to_dana(twilio) == [sms.body]
    assert "Beratung" in sms.body and "bestätigt" in sms.body


def test_the_reminder_goes_out_by_sms_when_it_is_due(
    acme, booked, twilio, clock, django_capture_on_commit_callbacks
):
    with tenant_context(acme):
        reminder = NotificationDelivery.objects.get(
            reminder_offset_minutes=120, channel=Channel.SMS, appointment=booked
        )
    assert (reminder.status, reminder.not_before) == (Status.QUEUED, TWO_HOURS_BEFORE)
    _due_reminders_sent(acme, django_capture_on_commit_callbacks)
    assert len(_sms_to_dana(twilio)) == 1  # only the confirmation: the reminder is not due yet

    clock.move_to(TWO_HOURS_BEFORE, tick=False)
    _due_reminders_sent(acme, django_capture_on_commit_callbacks)
    with tenant_context(acme):
        reminder.refresh_from_db()
    assert reminder.status == Status.SENT
    assert _sms_to_dana(twilio)[-1] == reminder.body and "Erinnerung" in reminder.body


def test_an_email_given_during_the_booking_gets_the_confirmation_by_email(acme, calcom, call, smtp, twilio):
    reply = call(
        "book_appointment",
        {
            "service": "Beratung",
            "datetime": THURSDAY_10.isoformat(),
            "name": "Dana Ruiz",
            "email": "dana@example.test",
        },
        call_id="call_booking_email",
    )
    assert reply["status"] == "booked", reply
    assert [(m.recipients, m.subject) for m in smtp.received] == [
        (["dana@example.test"], "Terminbestätigung: Beratung")
    ]
    assert _sms_to_dana(twilio) == []  # SMS is only the fallback when the email cannot go


# --- opting out -----------------------------------------------------------------------------------------


def test_after_telling_the_agent_no_more_sms_the_reminder_is_not_sent(
    acme, booked, call, twilio, clock, django_capture_on_commit_callbacks
):
    reply = call("record_opt_out", {"channel": "SMS"}, call_id="call_opt_out")
    assert (reply["status"], reply["channels"]) == ("opted_out", ["sms"])
    assert reply["message"] == "In Ordnung, Sie erhalten von uns keine SMS mehr."
    with tenant_context(acme):
        opt_out = ContactOptOut.objects.get(customer=booked.customer)
        assert (opt_out.channel, opt_out.source) == ("sms", ContactOptOut.Source.AGENT)

    clock.move_to(TWO_HOURS_BEFORE, tick=False)
    _due_reminders_sent(acme, django_capture_on_commit_callbacks)
    with tenant_context(acme):
        reminder = NotificationDelivery.objects.get(reminder_offset_minutes=120, channel=Channel.SMS)
    assert (reminder.status, reminder.reason) == (
        Status.SKIPPED,
        str(OPTED_OUT % {"channel": Channel.SMS.label}),
    )
    assert len(_sms_to_dana(twilio)) == 1  # the confirmation, sent before she opted out


def test_opting_out_of_all_messages_stops_every_channel_and_new_messages_too(
    acme, booked, call, twilio, smtp
):
    call("record_opt_out", {"kanal": "alle"}, call_id="call_opt_out_all")
    with tenant_context(acme):
        assert sorted(ContactOptOut.objects.values_list("channel", flat=True)) == ["email", "sms", "whatsapp"]
        customer = Customer.objects.get(pk=booked.customer_id)
        customer.email = "dana@example.test"
        customer.save()
    call("cancel_appointment", {"confirm": True}, call_id="call_cancel")
    with tenant_context(acme):
        cancellation = NotificationDelivery.objects.filter(event_type__key="appointment.cancelled")
        assert {(row.channel, row.status) for row in cancellation} == {
            ("email", Status.SKIPPED),
            ("sms", Status.SKIPPED),
        }
    assert (len(_sms_to_dana(twilio)), smtp.received) == (1, [])


def test_the_agent_asks_which_messages_when_the_channel_is_missing_or_unclear(acme, booked, call):
    for args in ({}, {"channel": "Brieftaube"}):
        reply = call("record_opt_out", args, call_id=f"call_unclear_{len(args)}")
        assert (reply["ok"], reply["status"], reply["field"]) == (False, "missing_argument", "channel")
    with tenant_context(acme):
        assert not ContactOptOut.objects.exists()


@pytest.mark.parametrize("word", ["STOP", "stopp", "Abmelden", " Stop! "])
def test_a_signed_stop_reply_opts_the_number_out_of_sms(
    word, acme, booked, twilio, clock, django_capture_on_commit_callbacks
):
    response = twilio_sms(word)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    with tenant_context(acme):
        opt_out = ContactOptOut.objects.get(customer=booked.customer)
        assert (opt_out.channel, opt_out.source) == ("sms", ContactOptOut.Source.SMS_STOP)

    clock.move_to(TWO_HOURS_BEFORE, tick=False)
    _due_reminders_sent(acme, django_capture_on_commit_callbacks)
    assert len(_sms_to_dana(twilio)) == 1  # the confirmation only


def test_start_after_stop_brings_the_reminder_back(
    acme, booked, twilio, clock, django_capture_on_commit_callbacks
):
    twilio_sms("STOP")
    twilio_sms("Start")
    with tenant_context(acme):
        assert not ContactOptOut.objects.exists()
    clock.move_to(TWO_HOURS_BEFORE, tick=False)
    _due_reminders_sent(acme, django_capture_on_commit_callbacks)
    assert len(_sms_to_dana(twilio)) == 2  # the confirmation and the reminder


def test_the_customers_data_export_lists_their_opt_outs(acme, booked):
    twilio_sms("STOP")
    with tenant_context(acme):
        export = customer_export(Customer.objects.get(pk=booked.customer_id))
    assert [(row["channel"], row["source"]) for row in export["opt_outs"]] == [("sms", "sms_stop")]


def test_other_replies_and_stops_from_unknown_numbers_change_nothing(acme, booked):
    assert twilio_sms("Danke, bis Donnerstag").status_code == 200
    assert twilio_sms("STOP", sender="+4917099999999").status_code == 200
    with tenant_context(acme):
        assert not ContactOptOut.objects.exists()


def test_a_stop_reply_twice_keeps_the_first_opt_out(acme, booked):
    twilio_sms("STOP")
    twilio_sms("STOP")
    with tenant_context(acme):
        assert ContactOptOut.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"token": "not-acmes-token"}, 403, "X-Twilio-Signature"),
        ({"to": "+4915199999999"}, 403, "X-Twilio-Signature"),  # a number no company receives on
        ({"to": ""}, 400, "To"),
        ({"sender": ""}, 400, "From"),
        ({"body": "STOP\x00"}, 400, "Body"),
        ({"body": "S" * 1601}, 400, "Body"),
        ({"sender": "+49" + "1" * 40}, 400, "From"),
    ],
)
def test_forged_or_hostile_sms_are_refused_naming_the_problem(kwargs, status, field, acme, booked):
    body = kwargs.pop("body", "STOP")
    response = twilio_sms(body, **kwargs)
    assert (response.status_code, response.json()["field"]) == (status, field)
    with tenant_context(acme):
        assert not ContactOptOut.objects.exists()


def test_an_sms_that_is_not_a_form_is_refused(acme):
    response = Client(HTTP_HOST="localhost").post(
        SMS_URL, b'{"Body": "STOP"}', content_type="application/json"
    )
    assert response.status_code == 415


# --- marketing -------------------------------------------------------------------------------------------


def test_only_messages_about_an_appointment_are_transactional():
    keys = ["appointment.created", "appointment.updated", "appointment.rescheduled", "appointment.cancelled"]
    assert all(is_transactional(key) for key in [*keys, "appointment.reminder"])
    assert not any(is_transactional(key) for key in ("newsletter.spring", "callback.created", ""))


@pytest.mark.django_db
def test_marketing_goes_only_where_the_customer_consented(acme, book, erika):
    review_request = MarketingEventTypeFactory()
    erika.consent_email_at = None  # she consented to SMS only
    erika.save()
    appointment = book(WEDNESDAY_10.replace(day=11))
    email, sms = notifications_for_event(
        event_name=review_request.key, subject=Subject(appointment=appointment)
    )
    assert (email.channel, email.status, email.reason) == (
        "email",
        Status.SKIPPED,
        str(NO_CONSENT % {"channel": Channel.EMAIL.label}),
    )
    assert (sms.channel, sms.status) == ("sms", Status.QUEUED)

    erika.consent_sms_at = None
    erika.save()
    statuses = [
        row.status
        for row in notifications_for_event(
            event_name=review_request.key, subject=Subject(appointment=appointment)
        )
    ]
    assert statuses == [Status.SKIPPED, Status.SKIPPED]


# --- the admin -------------------------------------------------------------------------------------------


def test_the_customer_page_shows_the_opt_outs_read_only(acme, praxis, booked):
    twilio_sms("STOP")
    with tenant_context(acme):
        admin = acme_person("Ada", Role.ADMIN, praxis)
        client = Client(HTTP_HOST=tenant_host(acme.schema_name))
        client.force_login(admin.user)
        page = client.get(reverse("admin:org_customer_change", args=[booked.customer_id]))
    assert page.status_code == 200
    inline = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is ContactOptOut)
    assert [form.original.source for form in inline] == [ContactOptOut.Source.SMS_STOP]
    assert not inline.has_add_permission and not inline.has_delete_permission
