"""Onboarding in the platform admin: a new company with its first admin, invited by email to set a password.

The platform admin posts the add form on the public host; the invitation arrives at a real local SMTP
server; its link is followed on the company's own host. Provisioning runs in the test transaction, so the
new schema is rolled back with it (DDL is transactional in PostgreSQL).
"""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists, tenant_context

from org.models import Staff
from tenants.models import Company, Domain, PhoneNumber

ADD_URL = "/admin/tenants/company/add/"
NEW_PASSWORD = "Z4hnarzt-Zeta-2026!"


@pytest.fixture
def platform_client(public) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser("root@platform.test", "root@platform.test", "x"))
    yield client
    connection.set_schema_to_public()


def company_form(**fields) -> dict[str, str]:
    """The add form as the browser posts it: the company, its first admin, no domain, maybe a number."""
    data = {
        "name": "Zahnarzt Zeta",
        "slug": "zeta",
        "timezone": "Europe/Berlin",
        "language": "de",
        "currency": "EUR",
        "admin_name": "Zora Zahn",
        "admin_email": "zora@zeta.test",
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
        "phone_numbers-TOTAL_FORMS": "0",
        "phone_numbers-INITIAL_FORMS": "0",
    }
    if "phone" in fields:
        data.update({"phone_numbers-TOTAL_FORMS": "1", "phone_numbers-0-number": fields.pop("phone")})
        data["phone_numbers-0-is_active"] = "on"
    return {**data, **fields}


def invitation_path(body: str) -> str:
    link = re.search(r"http://zeta\.localhost(/password/[^/\s]+/[^/\s]+/)", body)
    assert link, body
    return link.group(1)


@pytest.fixture
def onboarded(platform_client, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(ADD_URL, company_form(phone="+49 40 5550 2000"))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Company.objects.get(slug="zeta")


def test_a_new_company_gets_its_schema_host_number_and_an_invited_admin(onboarded, smtp):
    assert schema_exists("zeta")
    assert list(Domain.objects.filter(tenant=onboarded).values_list("domain", flat=True)) == [
        "zeta.localhost"
    ]
    assert PhoneNumber.objects.get(company=onboarded).number == "+494055502000"
    with tenant_context(onboarded):
        admin = Staff.objects.get()
        assert (admin.name, admin.email, admin.role) == ("Zora Zahn", "zora@zeta.test", "admin")
        assert admin.user.is_staff and not admin.user.has_usable_password()
        assert admin.user.groups.filter(name="admin").exists()
    [email] = smtp.received
    assert email.recipients == ["zora@zeta.test"]
    assert "Zahnarzt Zeta" in email.subject
    assert "Sie sind" in email.body("plain")  # the company's language: German
    invitation_path(email.body("plain"))


def test_the_link_sets_the_password_logs_in_and_works_once(onboarded, smtp):
    path = invitation_path(smtp.received[0].body("plain"))
    browser = Client(HTTP_HOST="zeta.localhost")
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200 and b'name="new_password1"' in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == "/admin/"
    assert browser.get("/admin/").status_code == 200  # logged in
    with tenant_context(onboarded):
        assert User.objects.get(username="zora@zeta.test").check_password(NEW_PASSWORD)
    again = Client(HTTP_HOST="zeta.localhost").get(path, follow=True)
    assert b'id="password-set-invalid"' in again.content


def test_the_link_expires(onboarded, smtp, settings):
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is older than that, without waiting
    page = Client(HTTP_HOST="zeta.localhost").get(
        invitation_path(smtp.received[0].body("plain")), follow=True
    )
    assert b'id="password-set-invalid"' in page.content


def test_a_weak_password_is_refused(onboarded, smtp):
    browser = Client(HTTP_HOST="zeta.localhost")
    form_page = browser.get(invitation_path(smtp.received[0].body("plain")), follow=True)
    refused = browser.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )
    assert refused.status_code == 200 and b'name="new_password1"' in refused.content


def test_the_link_works_on_its_own_company_only(onboarded, smtp, companies):
    path = invitation_path(smtp.received[0].body("plain"))
    page = Client(HTTP_HOST="acme.localhost").get(path, follow=True)
    assert b'name="new_password1"' not in page.content


@pytest.mark.parametrize("phone", ["+49 40 12", "040 12", "112", "+1 212 555"])
def test_a_too_short_number_is_refused_and_nothing_is_created(platform_client, smtp, phone):
    response = platform_client.post(ADD_URL, company_form(phone=phone))
    assert response.status_code == 200
    assert "number" in response.context["inline_admin_formsets"][1].formset.errors[0]
    assert not Company.objects.filter(slug="zeta").exists()
    assert not schema_exists("zeta")
    assert smtp.received == []


def test_the_first_admin_is_required(platform_client, smtp):
    response = platform_client.post(ADD_URL, company_form(admin_email=""))
    assert response.status_code == 200 and "admin_email" in response.context["adminform"].form.errors
    assert not Company.objects.filter(slug="zeta").exists()


@pytest.mark.parametrize("phone", ["+49 30 12", "030 12", "110"])
def test_a_too_short_number_is_refused_for_a_branch_and_a_customer(company, phone):
    from django.core.exceptions import ValidationError

    from org.models import Branch, Customer

    for record in (Branch(name="Mitte", phone=phone), Customer(name="Erika", phone=phone)):
        with pytest.raises(ValidationError) as refused:
            record.full_clean()
        assert "phone" in refused.value.message_dict


def test_a_national_number_is_read_in_the_default_region(company):
    from org.models import Customer

    customer = Customer(name="Erika", phone="030 1234567")
    customer.full_clean()
    assert customer.phone == "+49301234567"


def resend(client: Client, company: Company):
    data = {"action": "invitation_resend", "_selected_action": [company.pk]}
    return client.post("/admin/tenants/company/", data, follow=True)


def test_the_invitation_can_be_sent_again_until_a_password_is_chosen(platform_client, onboarded, smtp):
    page = resend(platform_client, onboarded)
    assert "zora@zeta.test" in page.content.decode()
    assert [email.recipients for email in smtp.received] == [["zora@zeta.test"], ["zora@zeta.test"]]
    browser = Client(HTTP_HOST="zeta.localhost")
    form_page = browser.get(invitation_path(smtp.received[1].body("plain")), follow=True)
    browser.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    resend(platform_client, onboarded)
    assert len(smtp.received) == 2  # she has a password now: nobody to invite


def test_a_refused_invitation_says_so(platform_client, onboarded, smtp):
    smtp.refused.add("zora@zeta.test")
    page = resend(platform_client, onboarded)
    [refused] = [said for said in page.context["messages"] if said.level_tag == "error"]
    assert "zora@zeta.test" in refused.message
