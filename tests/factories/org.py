from datetime import time

import factory
from django.contrib.auth.models import Group, User

from org.models import Absence, Branch, Closure, Customer, OpeningHours, Service, Staff
from org.roles import Role

WEEKDAYS_9_TO_18 = [(day, time(9), time(18)) for day in range(5)]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.SelfAttribute("username")
    is_staff = True
    password = factory.django.Password("demo12345")


class BranchFactory(factory.django.DjangoModelFactory):
    """A branch open Monday to Friday, 9:00–18:00 (pass hours=[] for none)."""

    class Meta:
        model = Branch
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Filiale {n}")
    timezone = "Europe/Berlin"

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        spans = WEEKDAYS_9_TO_18 if extracted is None else extracted
        for weekday, opens, closes in spans:
            OpeningHours.objects.create(branch=self, weekday=weekday, opens=opens, closes=closes)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    branch = factory.SubFactory(BranchFactory)
    reason = "Feiertag"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 30
    price = "40.00"

    @factory.post_generation
    def branches(self, create, extracted, **kwargs):
        if extracted:
            self.branches.set(extracted)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Faker("name", locale="de_DE")
    email = factory.SelfAttribute("user.email")
    role = Role.STAFF

    @factory.post_generation
    def branches(self, create, extracted, **kwargs):
        if extracted:
            self.branches.set(extracted)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if extracted:
            self.services.set(extracted)

    @factory.post_generation
    def role_group(self, create, extracted, **kwargs):
        group, _ = Group.objects.get_or_create(name=self.role)
        self.user.groups.add(group)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="de_DE")
    phone = factory.Sequence(lambda n: f"+4930{5550000 + n:07d}")
    email = factory.Sequence(lambda n: f"kunde{n}@example.test")


class AbsenceFactory(factory.django.DjangoModelFactory):
    """A holiday; pass `staff`, `starts_on` and `ends_on` (rows straight to the table, no release)."""

    class Meta:
        model = Absence

    staff = factory.SubFactory(StaffFactory)
    kind = Absence.Kind.HOLIDAY
