"""Policies (saved through the service: validated, cache invalidated) and appointments to judge."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from appointments.models import Appointment
from policies import services
from policies.models import (
    ActorType,
    AppointmentModification,
    ModificationType,
    PolicyConfiguration,
    TargetType,
)
from policies.rules import PolicyType
from tests.factories.org import BranchFactory, CustomerFactory, ServiceFactory

STANDARD_TIERS = [
    {"min_hours": 48, "max_hours": None, "amount": "0"},
    {"min_hours": 24, "max_hours": 48, "amount": "10"},
    {"min_hours": 0, "max_hours": 24, "amount": "15"},
]


class PolicyFactory(factory.django.DjangoModelFactory):
    """A company-wide cancellation policy unless told otherwise: pass branch=, service= or staff=."""

    class Meta:
        model = PolicyConfiguration

    policy_type = PolicyType.CANCELLATION
    settings = factory.LazyFunction(dict)
    target_type = factory.LazyAttribute(
        lambda o: next(
            (t for t in (TargetType.BRANCH, TargetType.SERVICE, TargetType.STAFF) if getattr(o, t, None)),
            TargetType.COMPANY,
        )
    )
    branch = None
    service = None
    staff = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.policy_save(policy=model_class(*args, **kwargs))


class PolicyAppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment three days ahead (tests set starts_at relative to the moment they judge at)."""

    class Meta:
        model = Appointment

    customer = factory.SubFactory(CustomerFactory)
    branch = factory.SubFactory(BranchFactory)
    service = factory.SubFactory(ServiceFactory)
    staff = None
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    status = Appointment.Status.SCHEDULED
    price = factory.SelfAttribute("service.price")
    currency = "EUR"


class ModificationFactory(factory.django.DjangoModelFactory):
    """A past cancellation by the customer (set appointment=, modification_type=, created_at=)."""

    class Meta:
        model = AppointmentModification

    appointment = factory.SubFactory(PolicyAppointmentFactory)
    customer = factory.SelfAttribute("appointment.customer")
    modification_type = ModificationType.CANCEL
    hours_notice = Decimal("72.00")
    previous_starts_at = factory.SelfAttribute("appointment.starts_at")
    actor_type = ActorType.CUSTOMER
    created_at = factory.LazyFunction(timezone.now)
