"""Acme's admins see every recorded change of the company in one list, filtered; nobody else does."""

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from common.audit import PHONE_AGENT, SYSTEM, acting_as
from tests.factories.org import CustomerFactory

URL = "/admin/tenants/company/activity/"


@pytest.fixture
def changes(company, clock, mitte):
    """Dana created by the phone agent on Wednesday; Paul created by the system on Thursday."""
    with acting_as(PHONE_AGENT):
        dana = CustomerFactory(name="Dana Ruiz")
    clock.shift(timedelta(days=1))
    with acting_as(SYSTEM):
        CustomerFactory(name="Paul Weber")
    return dana


def rows(response) -> list[str]:
    assert response.status_code == 200
    return [f"{row.object_repr} by {row.who}" for row in response.context["rows"]]


@pytest.mark.usefixtures("changes")
def test_admins_see_the_changes_of_the_whole_company_newest_first(as_user, ada):
    listed = rows(as_user(ada).get(URL, {"model": "org.customer"}))

    assert listed[:2] == ["Paul Weber by system", "Dana Ruiz by phone-agent"]


@pytest.mark.usefixtures("changes")
def test_the_list_filters_by_actor_and_date(as_user, ada):
    client = as_user(ada)

    by_agent = rows(client.get(URL, {"actor": "phone-agent"}))
    on_thursday = rows(client.get(URL, {"model": "org.customer", "since": "2026-03-05"}))
    until_wednesday = rows(client.get(URL, {"model": "org.customer", "until": "2026-03-04"}))

    assert by_agent == ["Dana Ruiz by phone-agent"]
    assert on_thursday == ["Paul Weber by system"]
    assert "Paul Weber by system" not in until_wednesday


def test_a_change_lists_its_old_and_new_values(as_user, ada, changes):
    changes.name = "Dana Ruiz-Weber"
    changes.save()

    row = as_user(ada).get(URL, {"model": "org.customer"}).context["rows"][0]

    assert [(c.field, c.old, c.new) for c in row.changes] == [("name", "Dana Ruiz", "Dana Ruiz-Weber")]


def test_other_companies_settings_changes_are_not_listed(as_user, ada, other_company):
    with tenant_context(other_company):
        other_company.name = "Globex Salon GmbH"
        other_company.save()

    listed = rows(as_user(ada).get(URL, {"model": "tenants.company"}))

    assert not any("Globex" in row for row in listed)


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_staff_and_managers_are_refused(as_user, request, company, role):
    assert as_user(request.getfixturevalue(role)).get(URL).status_code == 403


def test_every_audited_kind_of_record_can_be_chosen(as_user, ada):
    form = as_user(ada).get(URL).context["form"]

    assert {value for value, _label in form.fields["model"].choices} == {
        "",
        "api.apikey",
        "appointments.appointment",
        "callbacks.callbackrequest",
        "notifications.notificationconfiguration",
        "notifications.notificationtemplate",
        "org.absence",
        "org.customer",
        "org.staff",
        "policies.policyconfiguration",
        "tenants.company",
        "webhooks.webhookendpoint",
    }


def test_the_sidebar_links_the_activity_list_for_admins_only(as_user, ada, max_manager):
    assert URL in as_user(ada).get("/admin/").content.decode()
    assert URL not in as_user(max_manager).get("/admin/").content.decode()
