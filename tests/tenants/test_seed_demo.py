"""`make run` loads the demo data with seed_demo; running it again changes nothing."""

from django.contrib.auth.models import User
from django.core.management import call_command
from django_tenants.utils import tenant_context

from appointments.models import EventTypeMapping
from callbacks.models import CallbackRequest
from org.models import Absence, Branch, Staff
from tenants.models import Company, PhoneNumber
from tenants.routing import company_for_number


def demo_counts(company: Company) -> tuple[int, int, int, set[str]]:
    with tenant_context(company):
        roles = set(Staff.objects.values_list("role", flat=True))
        open_callbacks = CallbackRequest.objects.filter(status__in=CallbackRequest.OPEN_STATUSES).count()
        return Branch.objects.count(), Staff.objects.count(), open_callbacks, roles


def test_seed_demo_creates_both_companies_with_every_role_and_open_callbacks(public):
    call_command("seed_demo")
    demo, beispiel = Company.objects.get(slug="demo"), Company.objects.get(slug="beispiel")
    first = {company.slug: demo_counts(company) for company in (demo, beispiel)}

    call_command("seed_demo")

    assert {company.slug: demo_counts(company) for company in (demo, beispiel)} == first
    branches, staff, callbacks, roles = first["demo"]
    assert branches == 3 and callbacks == 4 and roles == {"staff", "manager", "admin"}
    assert first["beispiel"][0] == 2
    assert company_for_number("+49 30 55501000").company == demo
    assert company_for_number("+49 40 55502000").company == beispiel
    assert PhoneNumber.objects.filter(company__in=[demo, beispiel]).count() == 6
    assert User.objects.get(username="root@platform.test").check_password("demo12345")
    with tenant_context(demo):
        assert User.objects.get(username="staff@demo.test").check_password("demo12345")
        assert Staff.objects.get(user__username="manager@demo.test").role == "manager"


def test_the_demo_company_is_a_clinic_with_branches_a_central_number_and_an_absence(public):
    call_command("seed_demo")
    call_command("seed_demo")
    demo = Company.objects.get(slug="demo")
    central = company_for_number("+49 30 55501009")

    assert central.company == demo and central.branch_id is None, "the central number has no branch"
    with tenant_context(demo):
        by_number = {
            number: Branch.objects.get(pk=company_for_number(number).branch_id).name
            for number in ("+49 30 55501001", "+49 30 55501002", "+49 30 55501003")
        }
        tom = Staff.objects.get(user__username="tom@demo.test")
        mappings = EventTypeMapping.objects.filter(staff=None)
        assert by_number == {
            "+49 30 55501001": "Berlin Mitte",
            "+49 30 55501002": "Berlin Charlottenburg",
            "+49 30 55501003": "Berlin Prenzlauer Berg",
        }
        assert tom.branches.count() == 2
        assert Staff.objects.get(user__username="staff@demo.test").branches.count() == 1
        assert list(Absence.objects.values_list("staff__name", "kind")) == [("Sara Wolf", "holiday")]
        assert mappings.count() == 9, "three services at each of three branches"
        assert mappings.values("event_type_id").distinct().count() == 9, "each branch its own event types"
