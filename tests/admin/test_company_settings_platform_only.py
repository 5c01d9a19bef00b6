"""Addresses the server connects to are the platform's: a company can neither set nor smuggle them in."""

import json

import pytest

from common.conf import PLATFORM_ONLY, company_setting, platform_setting
from integrations.calcom.client import calcom_client_for_current_company
from tenants.models import Company
from tests.admin.test_company_settings import URL, form_data

LOOPBACK = "http://127.0.0.1:9/"


@pytest.mark.parametrize(
    ("stored", "key"),
    [
        ({"CALCOM_CLIENT": {"base_url": LOOPBACK, "read_timeout": 4}}, "CALCOM_CLIENT.base_url"),
        ({"NOTIFICATION_TWILIO_API_BASE_URL": LOOPBACK}, "NOTIFICATION_TWILIO_API_BASE_URL"),
    ],
)
def test_a_company_admin_cannot_save_an_address_setting(as_user, ada, company, stored, key):
    response = as_user(ada).post(
        f"{URL}{company.pk}/change/", form_data(company, settings=json.dumps(stored))
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["settings"]
    assert errors == [PLATFORM_ONLY % {"key": key}]
    assert Company.objects.get(pk=company.pk).settings == company.settings


def test_a_company_admin_still_tunes_the_calcom_timeouts(as_user, ada, company):
    stored = {"CALCOM_CLIENT": {"read_timeout": 4}}
    response = as_user(ada).post(
        f"{URL}{company.pk}/change/", form_data(company, settings=json.dumps(stored))
    )

    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).settings == stored


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
