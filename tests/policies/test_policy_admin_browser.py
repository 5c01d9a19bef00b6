"""In a real browser: an admin sets a branch policy with tiered fees, then asks the engine about a booking."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from appointments.models import Appointment
from org.models import Branch, Customer, Service, Staff
from policies.models import PolicyConfiguration
from policies.selectors import policy_cache_invalidate
from tests.conftest import tenant_host
from tests.factories.policies import PolicyAppointmentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def acme(companies):
    """Acme's rows are committed for the live server; they are removed again afterwards (flush only empties
    the public schema)."""
    company = companies["acme"]
    yield company
    with tenant_context(company):
        for model in (PolicyConfiguration, Appointment, Customer, Service, Staff, Branch):
            model.objects.all().delete()
        from django.contrib.auth.models import User

        User.objects.all().delete()
        policy_cache_invalidate()


@pytest.fixture
def page(acme, ada, live_server, browser):
    client = Client(HTTP_HOST=tenant_host(acme.schema_name))
    client.force_login(ada.user)
    port = live_server.url.rsplit(":", 1)[1]
    base_url = f"http://{tenant_host(acme.schema_name)}:{port}"
    context = browser.new_context(locale="en-GB", base_url=base_url)
    session = client.cookies["sessionid"].value
    context.add_cookies(
        [
            {"name": "sessionid", "value": session, "url": f"{base_url}/"},
            {"name": "django_language", "value": "en", "url": f"{base_url}/"},  # the user's choice wins
        ]
    )
    yield context.new_page()
    context.close()


def test_an_admin_sets_a_tiered_branch_policy_and_previews_a_late_cancellation(acme, page, mitte):
    branch = mitte
    with tenant_context(acme):
        appointment = PolicyAppointmentFactory(branch=branch, starts_at=timezone.now() + timedelta(hours=30))

    page.goto("/admin/policies/policyconfiguration/add/")
    page.select_option("select[name=target_type]", "branch")
    page.select_option("select[name=branch]", str(branch.pk))
    page.fill("input[name=hours_before]", "48")
    page.select_option("select[name=fee_kind]", "tiered")
    for name, value in {
        "tier_0_from": "0",
        "tier_0_to": "24",
        "tier_0_amount": "15",
        "tier_1_from": "24",
        "tier_1_to": "48",
        "tier_1_amount": "10",
        "tier_2_from": "48",
        "tier_2_amount": "0",
    }.items():
        page.fill(f"input[name={name}]", value)
    page.click("button[name=_save]")

    expect(page.locator("#result_list")).to_contain_text("48 h notice")
    with tenant_context(acme):
        assert PolicyConfiguration.objects.get().branch == branch

    page.goto("/admin/policies/policyconfiguration/preview/")
    page.fill("input[name=appointment]", str(appointment.pk))
    page.click("#policy-preview-form button[type=submit]")

    answers = page.locator("#policy-preview-answers")
    expect(answers).to_contain_text("Changes need at least 48 hours' notice; only 29.9 hours are left")
    expect(answers).to_contain_text("10.00 EUR")  # what a manager's override would charge
