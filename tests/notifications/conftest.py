"""People, places and stand-ins for the notification tests.

Branch "Mitte" (Europe/Berlin, with an address and a phone) offers "Haircut". Anna (tests/personas.py) cuts
hair there; Max manages Mitte. Erika is a customer with a mobile number, an email address and consent for SMS
and WhatsApp. The clock stands still on Wednesday 4 March 2026, 10:00 in Berlin unless a test moves it.
Acme's Twilio account and Slack webhook point at local stand-ins; email goes to a real local SMTP server.
"""

from datetime import datetime, timedelta

import pytest

from tests.conftest import WORKER_TWILIO_PORT
from tests.factories.notifications import NotifiedAppointmentFactory
from tests.factories.org import BranchFactory, CustomerFactory
from tests.notifications.fakes import FakeSlack, FakeTwilio
from tests.personas import WEDNESDAY_10

TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "test-auth-token"
SMS_SENDER, WHATSAPP_SENDER = "+4915100000001", "+4915100000002"


@pytest.fixture(autouse=True)
def _start_without_deliveries(request):
    """Other apps' transactional tests commit events in Acme's schema, and a flush does not reach tenant
    tables, so deliveries they caused may still be there. Each test here starts without them (inside its
    own transaction, so nothing outside the test changes)."""
    if "company" in request.fixturenames:
        request.getfixturevalue("company")
        from notifications.models import NotificationConfiguration, NotificationDelivery

        NotificationDelivery.objects.all().delete()
        NotificationConfiguration.objects.all().delete()


@pytest.fixture
def twilio():
    server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, {SMS_SENDER, WHATSAPP_SENDER}).start()
    yield server
    server.stop()


@pytest.fixture
def slack():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def acme(company, twilio, slack, settings):
    """Acme with its Twilio account and Slack webhook (both local stand-ins; Twilio's address is the
    platform's to set, never a company's)."""
    company.twilio_account_sid, company.twilio_auth_token = TWILIO_SID, TWILIO_TOKEN
    company.twilio_from_number, company.whatsapp_from_number = SMS_SENDER, WHATSAPP_SENDER
    company.slack_webhook_url = slack.webhook_url
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "NOTIFICATION_TWILIO_API_BASE_URL": twilio.base_url}
    company.save()
    return company


@pytest.fixture
def mitte(company, clock):
    return BranchFactory(name="Mitte", address="Friedrichstraße 1, 10117 Berlin", phone="+49301234567")


@pytest.fixture
def erika(company, clock):
    return CustomerFactory(
        name="Erika Mustermann",
        email="erika@example.test",
        phone="+4917012345678",
        consent_sms_at=WEDNESDAY_10,
        consent_whatsapp_at=WEDNESDAY_10,
    )


@pytest.fixture
def book(mitte, haircut, anna, erika):
    """Write an appointment for Erika with Anna (the test emits the domain event)."""

    def make(starts_at: datetime, **fields):
        fields = {"branch": mitte, "service": haircut, "staff": anna, "customer": erika, **fields}
        return NotifiedAppointmentFactory(starts_at=starts_at, **fields)

    return make


@pytest.fixture
def committed_twilio(companies, settings):
    """For tests whose sends run outside the test transaction (threads, a worker process): Acme's
    Twilio account is saved to the database; the stand-in listens where the worker was told Twilio is."""
    server = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, {SMS_SENDER}, port=WORKER_TWILIO_PORT).start()
    acme = companies["acme"]
    acme.twilio_account_sid, acme.twilio_auth_token = TWILIO_SID, TWILIO_TOKEN
    acme.twilio_from_number = SMS_SENDER
    settings.SWITCHBOARD = {**settings.SWITCHBOARD, "NOTIFICATION_TWILIO_API_BASE_URL": server.base_url}
    acme.save()
    yield server
    server.stop()


@pytest.fixture
def committed_sms(companies, committed_twilio):
    """An urgent SMS delivery that is due, committed in Acme's schema and removed afterwards (a flush of a
    transactional test does not reach tenant tables)."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from notifications.models import EventType, NotificationDelivery

    with tenant_context(companies["acme"]):
        customer = CustomerFactory(phone="+4917012345678", consent_sms_at=timezone.now())
        delivery = NotificationDelivery.objects.create(
            event_type=EventType.objects.get(key="appointment.created"),
            channel="sms",
            recipient_kind="customer",
            customer=customer,
            address="+4917012345678",
            body="Ihr Termin ist bestätigt.",
            not_before=timezone.now() - timedelta(seconds=1),
            is_urgent=True,
        )
    yield delivery
    with tenant_context(companies["acme"]):
        NotificationDelivery.objects.filter(pk=delivery.pk).delete()
        customer.delete()
