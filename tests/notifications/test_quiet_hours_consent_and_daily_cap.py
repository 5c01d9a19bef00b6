"""Customers are not messaged at night, not on channels they refused, and not more than N times a day."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.events import emit
from notifications.models import Channel, NotificationDelivery
from notifications.quiet_hours import next_allowed
from notifications.services import DAILY_CAP_REACHED, NO_CONSENT, OPTED_OUT
from notifications.tasks import send_delivery
from tests.factories.notifications import NotificationConfigurationFactory
from tests.personas import BERLIN, WEDNESDAY_10

Status = NotificationDelivery.Status
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = (time(20), time(8))


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 4, 19, 59), datetime(2026, 3, 4, 19, 59)),
        (datetime(2026, 3, 4, 20, 0), datetime(2026, 3, 5, 8, 0)),
        (datetime(2026, 3, 4, 23, 30), datetime(2026, 3, 5, 8, 0)),
        (datetime(2026, 3, 5, 3, 0), datetime(2026, 3, 5, 8, 0)),
        (datetime(2026, 3, 5, 8, 0), datetime(2026, 3, 5, 8, 0)),
        (datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 8, 0)),  # the night the clocks go forward
    ],
)
def test_quiet_hours_wrap_midnight_in_the_customers_timezone(local, expected):
    at = local.replace(tzinfo=BERLIN)
    assert next_allowed(at, BERLIN, *NIGHT) == expected.replace(tzinfo=BERLIN)


def test_quiet_hours_are_those_of_the_customers_own_timezone():
    at = datetime(2026, 3, 4, 22, 0, tzinfo=BERLIN)  # 16:00 in New York: fine there
    assert next_allowed(at, NEW_YORK, *NIGHT) == at


def test_a_daytime_quiet_window_is_supported():
    at = datetime(2026, 3, 4, 12, 30, tzinfo=BERLIN)
    assert next_allowed(at, BERLIN, time(12), time(14)) == datetime(2026, 3, 4, 14, 0, tzinfo=BERLIN)


@pytest.mark.django_db
def test_a_booking_made_late_in_the_evening_is_confirmed_the_next_morning(acme, book, clock):
    clock.move_to(datetime(2026, 3, 4, 22, 15, tzinfo=BERLIN), tick=False)
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    confirmation = NotificationDelivery.objects.get(event_type__key="appointment.created")
    assert confirmation.not_before == datetime(2026, 3, 5, 8, 0, tzinfo=BERLIN)


@pytest.mark.django_db
def test_an_urgent_cancellation_is_not_held_back_by_quiet_hours(acme, book, clock):
    clock.move_to(datetime(2026, 3, 4, 22, 15, tzinfo=BERLIN), tick=False)
    emit("appointment.cancelled", appointment=book(WEDNESDAY_10 + timedelta(hours=23), status="cancelled"))
    cancellation = NotificationDelivery.objects.get(event_type__key="appointment.cancelled")
    assert cancellation.not_before == datetime(2026, 3, 4, 22, 15, tzinfo=BERLIN)


@pytest.mark.django_db
def test_a_channel_the_customer_opted_out_of_is_skipped_and_the_fallback_used(acme, book, erika):
    erika.opted_out_channels = ["email"]
    erika.save()
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    email, sms = NotificationDelivery.objects.filter(event_type__key="appointment.created").order_by("pk")
    assert (email.status, email.reason) == (Status.SKIPPED, str(OPTED_OUT % {"channel": Channel.EMAIL.label}))
    assert sms.status == Status.QUEUED


@pytest.mark.django_db
def test_whatsapp_needs_the_customers_consent_even_for_their_appointment(acme, book, erika):
    erika.consent_whatsapp_at = None
    erika.save()
    NotificationConfigurationFactory(channel="whatsapp")
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    whatsapp = NotificationDelivery.objects.get(event_type__key="appointment.created", channel="whatsapp")
    expected = (Status.SKIPPED, str(NO_CONSENT % {"channel": Channel.WHATSAPP.label}))
    assert (whatsapp.status, whatsapp.reason) == expected


@pytest.mark.django_db
def test_the_daily_cap_stops_the_next_message_of_the_day(acme, book, smtp, company_settings):
    company_settings(NOTIFICATION_DAILY_CAP_PER_CUSTOMER=2, NOTIFICATION_REMINDER_OFFSETS_MINUTES=[])
    for days in (8, 9, 10):
        emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=days)))
    rows = list(NotificationDelivery.objects.filter(event_type__key="appointment.created").order_by("pk"))
    for row in rows:
        send_delivery(row.pk)
    statuses = [NotificationDelivery.objects.get(pk=r.pk).status for r in rows]
    assert statuses == [Status.SENT, Status.SENT, Status.SKIPPED]
    assert NotificationDelivery.objects.get(pk=rows[2].pk).reason == str(DAILY_CAP_REACHED % {"cap": 2})
    assert len(smtp.received) == 2


@pytest.mark.django_db
def test_urgent_messages_still_go_out_when_the_cap_is_reached(acme, book, smtp, company_settings):
    company_settings(NOTIFICATION_DAILY_CAP_PER_CUSTOMER=1, NOTIFICATION_REMINDER_OFFSETS_MINUTES=[])
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    emit("appointment.cancelled", appointment=book(WEDNESDAY_10 + timedelta(days=9), status="cancelled"))
    for row in NotificationDelivery.objects.order_by("pk"):
        send_delivery(row.pk)
    assert sorted(m.subject for m in smtp.received) == ["Terminabsage: Haircut", "Terminbestätigung: Haircut"]


@pytest.mark.django_db
def test_a_send_delay_from_the_configuration_postpones_the_message(acme, book):
    NotificationConfigurationFactory(channel="email", delay_minutes=30)
    emit("appointment.created", appointment=book(WEDNESDAY_10 + timedelta(days=8)))
    confirmation = NotificationDelivery.objects.get(event_type__key="appointment.created")
    assert confirmation.not_before == WEDNESDAY_10 + timedelta(minutes=30)
