"""`make run` loads the demo data with seed_demo; running it again changes nothing."""

from django.contrib.auth.models import User
from django.core.management import call_command
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from org.models import Branch, Staff
from tenants.models import Company, PhoneNumber
from tenants.routing import company_for_number


def demo_counts(company: Company) -> tuple[int, int, int, set[str]]:
    with tenant_context(company):
        roles = set(Staff.objects.values_list("role", flat=True))
        return Branch.objects.count(), Staff.objects.count(), CallbackRequest.objects.count(), roles


def test_seed_demo_creates_both_companies_with_every_role_and_open_callbacks(public):
    call_command("seed_demo")
    demo, beispiel = Company.objects.get(slug="demo"), Company.objects.get(slug="beispiel")
    first = {company.slug: demo_counts(company) for company in (demo, beispiel)}

    call_command("seed_demo")

    assert {company.slug: demo_counts(company) for company in (demo, beispiel)} == first
    branches, staff, callbacks, roles = first["demo"]
    assert branches == 2 and callbacks == 4 and roles == {"staff", "manager", "admin"}
    assert company_for_number("+49 30 55501000").company == demo
    assert company_for_number("+49 40 55502000").company == beispiel
    assert PhoneNumber.objects.filter(company__in=[demo, beispiel]).count() == 2
    assert User.objects.get(username="root@platform.test").check_password("demo12345")
    with tenant_context(demo):
        assert User.objects.get(username="staff@demo.test").check_password("demo12345")
        assert Staff.objects.get(user__username="manager@demo.test").role == "manager"
