"""Addresses the server connects to are the platform's: a company can neither set nor smuggle them in."""

import json

from common.conf import company_setting, platform_setting
from integrations.calcom.client import calcom_client_for_current_company
from tenants.models import Company
from tests.admin.test_company_settings import URL, form_data

LOOPBACK = "http://127.0.0.1:9/"


def test_a_company_admin_cannot_save_an_address_setting(as_user, ada, company):
    # The form has no field for an address, and a smuggled JSON body is not read.
    stored = {"CALCOM_CLIENT": {"base_url": LOOPBACK}, "NOTIFICATION_TWILIO_API_BASE_URL": LOOPBACK}
    form = as_user(ada).get(f"{URL}{company.pk}/change/").context["adminform"].form
    response = as_user(ada).post(
        f"{URL}{company.pk}/change/", form_data(company, settings=json.dumps(stored))
    )

    assert not [name for name in form.fields if name.startswith("setting_") and "url" in name]
    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).settings == {}


def test_an_address_stored_before_the_rule_is_dropped_when_the_settings_are_saved(as_user, ada, company):
    Company.objects.filter(pk=company.pk).update(settings={"CALCOM_CLIENT": {"base_url": LOOPBACK}})
    company.refresh_from_db()

    response = as_user(ada).post(f"{URL}{company.pk}/change/", form_data(company))

    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).settings == {}


def test_a_company_admin_still_tunes_the_calcom_timeouts(as_user, ada, company):
    response = as_user(ada).post(
        f"{URL}{company.pk}/change/", form_data(company, setting_calcom_client_read_timeout="4")
    )

    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).settings == {"CALCOM_CLIENT": {"read_timeout": 4.0}}


def test_a_stored_company_calcom_base_url_is_ignored(company):
    # Stored before the rule existed (or written around the form): the platform's address still wins.
    stored = {"CALCOM_CLIENT": {"base_url": LOOPBACK, "read_timeout": 4.0}}
    Company.objects.filter(pk=company.pk).update(settings=stored)

    client = calcom_client_for_current_company()

    assert client.settings.base_url == "https://api.cal.com"
    assert client.settings.read_timeout == 4.0


def test_a_stored_company_twilio_base_url_is_ignored(company):
    company.settings = {"NOTIFICATION_TWILIO_API_BASE_URL": LOOPBACK}

    assert company_setting("NOTIFICATION_TWILIO_API_BASE_URL") == platform_setting(
        "NOTIFICATION_TWILIO_API_BASE_URL"
    )
