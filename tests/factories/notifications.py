"""Notification configurations and appointments to notify about."""

from datetime import timedelta

import factory

from appointments.models import Appointment
from notifications.models import EventType, NotificationConfiguration, NotificationTemplate
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory


class NotificationConfigurationFactory(factory.django.DjangoModelFactory):
    """A company-level row unless staff, service or branch is given; pass `event="appointment.created"`."""

    class Meta:
        model = NotificationConfiguration
        exclude = ["event"]

    event = "appointment.created"
    event_type = factory.LazyAttribute(lambda o: EventType.objects.get(key=o.event))
    channel = "email"


class NotifiedAppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment row (written directly: the tests emit the domain events themselves)."""

    class Meta:
        model = Appointment

    branch = factory.SubFactory(BranchFactory)
    service = factory.SubFactory(ServiceFactory)
    customer = factory.SubFactory(CustomerFactory)
    starts_at = factory.Faker("future_datetime", end_date="+30d", tzinfo=None)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    status = Appointment.Status.SCHEDULED


class MarketingEventTypeFactory(factory.django.DjangoModelFactory):
    """A customer message that is not about their booking (a review request), on email and SMS, with German
    texts for both."""

    class Meta:
        model = EventType

    key = factory.Sequence(lambda n: f"appointment.review_request_{n}")
    label, label_de = "Review request", "Bewertungsanfrage"
    category = EventType.Category.SYSTEM
    recipients = ["customer"]
    default_channels = ["email", "sms"]

    @factory.post_generation
    def texts(self, create, extracted, **kwargs):
        for channel in self.default_channels:
            NotificationTemplate.objects.create(
                event_type=self,
                channel=channel,
                language="de",
                subject="Wie war es?",
                body="Bewerten Sie uns!",
            )
