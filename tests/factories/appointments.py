from datetime import timedelta

import factory
from django.utils import timezone

from appointments.models import Appointment, EventTypeMapping
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory


class EventTypeMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventTypeMapping

    service = factory.SubFactory(ServiceFactory)
    # The service's first branch (what most tests have: one branch), else a new one.
    branch = factory.LazyAttribute(lambda o: o.service.branches.order_by("pk").first() or BranchFactory())
    staff = None
    event_type_id = factory.Sequence(lambda n: 700_000 + n)
    title = factory.SelfAttribute("service.name")


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A confirmed appointment three days ahead, already in Cal.com."""

    class Meta:
        model = Appointment

    customer = factory.SubFactory(CustomerFactory)
    service = factory.SubFactory(ServiceFactory)
    branch = factory.SubFactory(BranchFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=o.service.duration_minutes))
    status = Appointment.Status.CONFIRMED
    source = Appointment.Source.ADMIN
    calcom_booking_uid = factory.Sequence(lambda n: f"booking-uid-{n}")
    price = factory.SelfAttribute("service.price")
    sync_state = Appointment.SyncState.SYNCED
