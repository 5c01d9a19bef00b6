"""Company admins keep their own settings and API keys on their company's host; nobody else can."""

import pytest

from tenants.models import Company

URL = "/admin/tenants/company/"


def form_data(company, **changes):
    data = {
        "name": company.name,
        "timezone": company.timezone,
        "language": company.language,
        "currency": company.currency,
        "calcom_username": "",
        "twilio_from_number": "",
        "whatsapp_from_number": "",
        **{field: getattr(company, field) for field in Company.RETENTION_FIELDS},
    }
    return {**data, **changes}


def test_admin_lands_on_their_own_company(as_user, ada, company):
    response = as_user(ada).get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}{company.pk}/change/"


def test_admin_sets_an_api_key_which_is_never_shown_again(as_user, ada, company):
    client = as_user(ada)

    saved = client.post(
        f"{URL}{company.pk}/change/", form_data(company, calcom_api_key="cal_live_secret_123")
    )
    page = client.get(f"{URL}{company.pk}/change/").content.decode()
    kept = client.post(f"{URL}{company.pk}/change/", form_data(company, name="Acme Praxis GmbH"))

    assert saved.status_code == 302 and kept.status_code == 302
    company = Company.objects.get(pk=company.pk)
    assert company.calcom_api_key == "cal_live_secret_123"  # blank input kept the stored key
    assert company.name == "Acme Praxis GmbH"
    assert "cal_live_secret_123" not in page


def test_the_platform_fields_are_not_offered(as_user, ada, company):
    form = as_user(ada).get(f"{URL}{company.pk}/change/").context["adminform"].form

    assert not {"slug", "schema_name", "is_active"} & set(form.fields)


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_staff_and_managers_cannot_see_company_settings(as_user, request, company, role):
    client = as_user(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{company.pk}/change/").status_code == 403


def test_another_companys_settings_are_out_of_reach(as_user, ada, other_company):
    response = as_user(ada).get(f"{URL}{other_company.pk}/change/")

    assert response.status_code == 302  # "does not exist" for this company: back to the index
    assert other_company.name not in response.content.decode()
