"""Callback rows in a given state, written straight to the table (tests of services use the services)."""

from datetime import timedelta

import factory
from django.utils import timezone

from callbacks.models import CallbackRequest
from tests.factories.org import BranchFactory


class CallbackRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallbackRequest

    branch = factory.SubFactory(BranchFactory)
    phone = factory.Sequence(lambda n: f"+4917{1000000 + n:08d}")
    customer_name = factory.Faker("name", locale="de_DE")
    status = CallbackRequest.Status.PENDING
    priority = CallbackRequest.Priority.NORMAL
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class AssignedCallbackFactory(CallbackRequestFactory):
    """Pass `assigned_to=<staff>`."""

    status = CallbackRequest.Status.ASSIGNED
    assigned_at = factory.LazyFunction(timezone.now)
