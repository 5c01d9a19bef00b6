"""A row created in one company is invisible from another company's schema and host."""

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context

from common.health import worker_heartbeat
from org.models import Branch
from tests.factories.org import BranchFactory, UserFactory


def test_branch_of_acme_is_invisible_in_globex_schema(company, other_company):
    BranchFactory(name="Acme Mitte")
    with tenant_context(other_company):
        assert not Branch.objects.filter(name="Acme Mitte").exists()
    assert Branch.objects.filter(name="Acme Mitte").exists()


def test_the_manager_of_globex_does_not_see_acme_branch_over_http(company, other_company, client_for, eve):
    BranchFactory(name="Acme Mitte")
    with tenant_context(other_company):
        eve.branches.add(BranchFactory(name="Globex Hafen"))  # a manager sees the branches they manage
    globex = client_for(other_company)
    with tenant_context(other_company):
        globex.force_login(eve.user)
    page = globex.get("/admin/org/branch/")
    assert page.status_code == 200
    assert b"Globex Hafen" in page.content
    assert b"Acme Mitte" not in page.content


def test_login_of_one_company_does_not_open_another_company_admin(company, other_company, client_for, ada):
    acme = client_for(company)
    acme.force_login(ada.user)
    assert acme.get("/admin/").status_code == 200
    globex = client_for(other_company)
    globex.cookies = acme.cookies  # the same session cookie, presented to the other company's host
    response = globex.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_cache_entry_of_one_company_is_not_served_to_another(company, other_company):
    cache.set("open-callbacks", 7)
    with tenant_context(other_company):
        assert cache.get("open-callbacks") is None
        cache.set("open-callbacks", 3)
    assert cache.get("open-callbacks") == 7
    cache.delete("open-callbacks")
    with tenant_context(other_company):
        cache.delete("open-callbacks")


@pytest.mark.parametrize("host", ["unknown.localhost", "localhost"])
def test_host_that_is_no_company_gets_the_public_site(public, client, host):
    root = UserFactory(username="root@platform.test", is_superuser=True)
    client.force_login(root)
    worker_heartbeat("celery@test")
    assert client.get("/healthz", HTTP_HOST=host).status_code == 200
    assert client.get("/admin/tenants/company/", HTTP_HOST=host).status_code == 200
    assert client.get("/admin/org/branch/", HTTP_HOST=host).status_code == 404


def test_inactive_company_host_is_not_served(company, client_for):
    assert client_for(company).get("/").status_code == 302  # the company's own site
    company.is_active = False
    company.save(update_fields=["is_active"])
    assert client_for(company).get("/").status_code == 404  # the public site has no such page
