"""A domain event creates one delivery per recipient and channel, in the transaction of the change."""

from datetime import timedelta

import pytest
from django.db import transaction

from common.events import emit
from notifications.models import NotificationDelivery
from notifications.services import NO_EMAIL, NO_SLACK_WEBHOOK, NOT_MOBILE
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db

Status = NotificationDelivery.Status


def deliveries(event: str) -> list[NotificationDelivery]:
    return list(NotificationDelivery.objects.filter(event_type__key=event).order_by("pk"))


def test_a_booking_confirmation_is_queued_for_the_customer_by_email(acme, book):
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    emit("appointment.created", appointment=appointment)
    [delivery] = deliveries("appointment.created")
    assert (delivery.channel, delivery.status, delivery.address) == (
        "email",
        Status.QUEUED,
        "erika@example.test",
    )
    assert delivery.customer.name == "Erika Mustermann"
    assert delivery.subject == "Terminbestätigung: Haircut"
    assert "Donnerstag, 12. März 2026, 10:00 Uhr" in delivery.body  # branch timezone, German
    assert "Filiale Mitte" in delivery.body


def test_deliveries_roll_back_with_the_change_that_caused_them(acme, book):
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("appointment.created", appointment=appointment)
        raise RuntimeError("the booking failed after the event")
    assert deliveries("appointment.created") == []


def test_an_english_speaking_customer_gets_english_text(acme, book, erika):
    erika.preferred_language = "en"
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    [delivery] = deliveries("appointment.created")
    assert delivery.subject == "Appointment confirmed: Haircut"
    assert "Thursday, 12 March 2026, 10:00 AM" in delivery.body


def test_without_an_email_address_the_customer_gets_the_fallback_channel(acme, book, erika):
    erika.email = ""
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    email, sms = deliveries("appointment.created")
    assert (email.channel, email.status, email.reason) == ("email", Status.SKIPPED, str(NO_EMAIL))
    assert (sms.channel, sms.status, sms.fallback_for) == ("sms", Status.QUEUED, email)
    assert sms.address == "+4917012345678"
    assert sms.sms_segments == 1 and sms.sms_encoding == "gsm7"


def test_a_landline_cannot_be_the_fallback_and_the_row_says_why(acme, book, erika):
    erika.email, erika.phone = "", "+49301234567"
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    email, sms = deliveries("appointment.created")
    assert email.status == sms.status == Status.SKIPPED
    assert sms.reason == str(NOT_MOBILE % {"address": "+49301234567"})
    assert sms.fallback_channel == ""  # a fallback is tried once, never chained


def test_an_assigned_callback_reaches_the_assignee_in_app_and_by_email(acme, mitte, anna):
    callback = AssignedCallbackFactory(
        branch=mitte, assigned_to=anna, customer_name="Erika", phone="+4917099999999"
    )
    emit("callback.assigned", callback=callback, staff=anna)
    rows = deliveries("callback.assigned")
    assert [(r.channel, r.staff, r.status) for r in rows] == [
        ("in_app", anna, Status.QUEUED),
        ("email", anna, Status.QUEUED),
    ]
    assert rows[0].subject == "Rückruf zugewiesen: Erika"
    assert "+4917099999999" in rows[0].body


def test_an_escalation_reaches_every_branch_manager_and_the_slack_channel(acme, mitte, anna, max_manager):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna)
    emit("callback.escalated", callback=callback, level=1, audience=["managers"])
    rows = deliveries("callback.escalated")
    assert sorted((r.recipient_kind, r.channel) for r in rows) == [
        ("staff", "email"),
        ("staff", "in_app"),
        ("team", "slack"),
    ]
    assert {r.staff for r in rows if r.staff} == {max_manager}  # Anna is not a manager


def test_without_a_slack_webhook_the_slack_row_is_skipped_not_an_error(company, mitte, max_manager):
    callback = CallbackRequestFactory(branch=mitte)
    emit("callback.created", callback=callback)
    slack = [r for r in deliveries("callback.created") if r.channel == "slack"]
    assert [(r.status, r.reason) for r in slack] == [(Status.SKIPPED, str(NO_SLACK_WEBHOOK))]


def test_events_nobody_configured_create_nothing(acme, mitte):
    emit("callback.contacted", callback=CallbackRequestFactory(branch=mitte))
    assert NotificationDelivery.objects.count() == 0


def test_a_failing_notification_never_breaks_the_change_that_emitted_it(acme, book, monkeypatch):
    from notifications import services

    def broken(**kwargs):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr(services, "notifications_for_event", broken)
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    with transaction.atomic():
        emit("appointment.created", appointment=appointment)
        appointment.notes = "still saved"
        appointment.save()
    appointment.refresh_from_db()
    assert appointment.notes == "still saved"


@pytest.mark.parametrize(
    ("changed", "notified"), [(["notes"], False), (["sync_state"], False), (["staff"], True)]
)
def test_an_update_reaches_the_customer_only_when_they_would_notice_it(acme, book, changed, notified):
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    emit("appointment.updated", appointment=appointment, changed=changed)
    assert len(deliveries("appointment.updated")) == (1 if notified else 0)


def test_a_completed_appointment_drops_its_pending_reminders(acme, book):
    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    emit("appointment.created", appointment=appointment)
    appointment.status = "completed"
    appointment.save()
    emit("appointment.updated", appointment=appointment, changed=["status"])
    reminders = NotificationDelivery.objects.filter(event_type__key="appointment.reminder")
    assert {r.status for r in reminders} == {Status.CANCELLED}
    assert deliveries("appointment.updated") == []


def test_anonymising_a_customer_cancels_queued_messages_and_blanks_what_was_sent(
    acme, book, erika, mitte, anna
):
    from org.privacy import customer_anonymise

    appointment = book(WEDNESDAY_10 + timedelta(days=8))
    emit("appointment.created", appointment=appointment)
    NotificationDelivery.objects.filter(event_type__key="appointment.created").update(status=Status.SENT)
    emit(
        "callback.assigned", callback=AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer=erika)
    )
    customer_anonymise(customer=erika)
    rows = list(NotificationDelivery.objects.all())
    assert {r.status for r in rows} == {Status.SENT, Status.CANCELLED}
    assert {(r.address, r.body) for r in rows} == {("", "[anonymised]")}
    assert not any("Erika" in (r.subject + r.body + r.reason) for r in rows)


def test_an_invalid_email_address_is_skipped_with_the_address_named(acme, book, erika):
    from notifications.services import INVALID_EMAIL
    from org.models import Customer

    Customer.objects.filter(pk=erika.pk).update(email="erika@@example")  # imported data, never validated
    erika.refresh_from_db()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    email, sms = deliveries("appointment.created")
    assert (email.status, email.reason) == (
        Status.SKIPPED,
        str(INVALID_EMAIL % {"address": "erika@@example"}),
    )
    assert sms.status == Status.QUEUED
